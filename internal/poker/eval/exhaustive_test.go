package eval

import "github.com/arcadehq/arcade/internal/poker/card"

// exhaustive7 adds one to hist[Eval7(h)] for every 7-card hand h, in the C benchmark's nested
// loop order, with one full Eval7 call per hand (no work shared between hands). The array is
// built in the call, as the C benchmark passes seven arguments: filling a long-lived array a
// byte at a time and passing it whole makes the compiler copy it with wider loads that stall on
// store-to-load forwarding, which costs more than the evaluation itself.
func exhaustive7(hist *[NumRanks + 1]uint32) {
	for a := range card.Card(46) {
		for b := a + 1; b < 47; b++ {
			for c := b + 1; c < 48; c++ {
				for d := c + 1; d < 49; d++ {
					for e := d + 1; e < 50; e++ {
						for f := e + 1; f < 51; f++ {
							for g := f + 1; g < 52; g++ {
								hist[Eval7([7]card.Card{a, b, c, d, e, f, g})]++
							}
						}
					}
				}
			}
		}
	}
}
