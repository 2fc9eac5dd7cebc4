package tools

import "github.com/arcadehq/arcade/internal/guide"

// Guide describes every tool of s for the agent guide.
func (s *Set) Guide() []guide.Tool {
	out := make([]guide.Tool, 0, len(s.list))
	for _, t := range s.list {
		out = append(out, guide.Tool{Name: t.Name, Description: t.Description, Params: t.Schema(), NoAuth: t.NoAuth(), Returns: t.Returns})
	}
	return out
}
