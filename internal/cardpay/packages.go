package cardpay

import (
	"slices"
	"strings"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
)

// Package is one credit package of the catalogue.
type Package struct {
	ID          string
	Name        string
	Credits     money.Amount // micro-credits granted once the checkout is paid
	AmountCents int64        // the price, in cents of Currency
	Currency    string       // ISO 4217, lower case, as Stripe wants it
	// StripePriceID, when set, sells the package through that Stripe Price instead of an inline
	// price_data line; the credits granted still come from this catalogue.
	StripePriceID string
}

// catalogue is the fixed list of packages, cheapest first. Bigger packages cost less per credit
// (1.00, 0.90, 0.83, 0.77 cents per credit). Ids are stable: purchases record them.
var catalogue = []Package{
	{ID: "pkg_1000", Name: "1,000 credits", Credits: 1_000 * money.Micro, AmountCents: 999, Currency: "usd"},
	{ID: "pkg_5000", Name: "5,000 credits", Credits: 5_000 * money.Micro, AmountCents: 4_499, Currency: "usd"},
	{ID: "pkg_12000", Name: "12,000 credits", Credits: 12_000 * money.Micro, AmountCents: 9_999, Currency: "usd"},
	{ID: "pkg_30000", Name: "30,000 credits", Credits: 30_000 * money.Micro, AmountCents: 22_999, Currency: "usd"},
}

// Packages returns the catalogue, cheapest first. The slice is a copy.
func Packages() []Package { return slices.Clone(catalogue) }

// PackageByID finds a package of the catalogue.
func PackageByID(id string) (Package, bool) {
	for _, p := range catalogue {
		if p.ID == id {
			return p, true
		}
	}
	return Package{}, false
}

// lookupPackage is PackageByID as a validation error naming the packageId field.
func lookupPackage(id string) (Package, error) {
	if id == "" {
		return Package{}, errs.Missing("packageId")
	}
	p, ok := PackageByID(id)
	if !ok {
		ids := make([]string, len(catalogue))
		for i, c := range catalogue {
			ids[i] = c.ID
		}
		return Package{}, errs.Invalid("packageId", "unknown package; one of %s (GET /api/credits/packages)", strings.Join(ids, ", "))
	}
	return p, nil
}
