package examples

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/arcadehq/arcade/internal/persona"
	"github.com/arcadehq/arcade/internal/persona/rules"
)

//go:embed *.json
var files embed.FS

// Example is one shipped persona: its slug (the file name without .json), the raw JSON as
// shipped, and the decoded definition.
type Example struct {
	Slug       string
	JSON       []byte
	Definition *persona.Definition
}

// All decodes and validates every shipped example, in slug order. An error means a broken build.
func All() ([]Example, error) {
	names, err := fs.Glob(files, "*.json")
	if err != nil {
		return nil, fmt.Errorf("examples: %w", err)
	}
	sort.Strings(names)
	out := make([]Example, 0, len(names))
	for _, n := range names {
		raw, err := files.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("examples: %w", err)
		}
		d, err := persona.Parse(raw, rules.Check)
		if err != nil {
			return nil, fmt.Errorf("examples: %s: %w", n, err)
		}
		out = append(out, Example{Slug: strings.TrimSuffix(n, ".json"), JSON: raw, Definition: d})
	}
	return out, nil
}

// Get returns the example with the given slug.
func Get(slug string) (Example, error) {
	all, err := All()
	if err != nil {
		return Example{}, err
	}
	for _, e := range all {
		if e.Slug == slug {
			return e, nil
		}
	}
	return Example{}, fmt.Errorf("examples: no example %q", slug)
}
