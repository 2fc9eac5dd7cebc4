package fairness

import "fmt"

// ParseCreditDiceTarget parses a credit-dice target X written in decimal, such as "49", "49.5"
// or "0.01", into hundredths (4950 for "49.5"). It is exact: no float is involved, and a value
// with a non-zero third decimal ("49.555") is rejected rather than rounded; trailing zeros
// ("49.500") are allowed. Accepted values run from 0.00 to 99.99; signs, exponents, spaces and
// a missing integer or fraction part (".5", "5.") are rejected. Errors wrap ErrTarget.
func ParseCreditDiceTarget(s string) (int, error) {
	bad := func(why string) (int, error) {
		return 0, fmt.Errorf("%w: %q %s", ErrTarget, truncate(s, 32), why)
	}
	if s == "" {
		return bad("is empty")
	}
	i, whole := 0, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		whole = whole*10 + int(s[i]-'0')
		if whole >= 100 {
			return bad("is 100 or more")
		}
		i++
	}
	if i == 0 {
		return bad("must start with a digit")
	}
	frac := 0
	if i < len(s) {
		if s[i] != '.' {
			return bad("is not a decimal number")
		}
		i++
		if i == len(s) {
			return bad("has no digits after the point")
		}
		for k := 0; i < len(s); i, k = i+1, k+1 {
			c := s[i]
			if c < '0' || c > '9' {
				return bad("is not a decimal number")
			}
			switch {
			case k == 0:
				frac = int(c-'0') * 10
			case k == 1:
				frac += int(c - '0')
			case c != '0':
				return bad("has more than two decimals")
			}
		}
	}
	return whole*100 + frac, nil
}

// truncate shortens s for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
