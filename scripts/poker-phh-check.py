"""Reads the PHH files Arcade served (.phh and .phhs, dumped by TestPokerPHH) with PokerKit,
plays every hand with the table's rake (its _arcade_rake_* fields) and compares PokerKit's
finishing stacks with the file's. Prints a summary; exits 1 if a file does not load."""
import sys
from functools import partial
from math import inf

from pokerkit import HandHistory
from pokerkit.utilities import rake

loaded = same = differ = 0
notes = []
for path in sys.argv[1:]:
    with open(path, 'rb') as f:
        hands = list(HandHistory.load_all(f)) if path.endswith('.phhs') else [HandHistory.load(f)]
    for hh in hands:
        loaded += 1
        u = hh.user_defined_fields
        bp, cap = u.get('_arcade_rake_basis_points', 0), u.get('_arcade_rake_cap', 0)
        hh.rake = partial(rake, percentage=bp / 10000, cap=cap or inf, no_flop_no_drop=True)
        state = None
        for state in hh:
            pass
        if list(state.stacks) == list(hh.finishing_stacks):
            same += 1
        else:
            differ += 1
            notes.append(f'{path} {u.get("_arcade_hand_id")}: PokerKit {list(state.stacks)}, file {hh.finishing_stacks}')
print(f'{loaded} hands loaded by PokerKit; {same} to the same finishing stacks, {differ} different')
for n in notes[:20]:
    print(n)
