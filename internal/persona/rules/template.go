package rules

import (
	"fmt"
	"strings"
)

// template is a reply with {{name}} placeholders, split once at compile time: parts alternate
// literal text and names (names at odd indexes).
type template struct {
	parts []string
}

// parseTemplate splits s. A placeholder is {{ name }} (spaces optional) where name is a
// variable or built-in; known reports which names exist. There is no logic, no function and no
// escaping: the output is plain text that the surface escapes for its document.
func parseTemplate(s string, known map[string]bool) (template, error) {
	var parts []string
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			if strings.Contains(s, "}}") {
				return template{}, fmt.Errorf("has }} without {{")
			}
			parts = append(parts, s)
			return template{parts: parts}, nil
		}
		lit := s[:i]
		if strings.Contains(lit, "}}") {
			return template{}, fmt.Errorf("has }} without {{")
		}
		j := strings.Index(s[i+2:], "}}")
		if j < 0 {
			return template{}, fmt.Errorf("has {{ without }}")
		}
		name := strings.TrimSpace(s[i+2 : i+2+j])
		if !known[name] {
			return template{}, fmt.Errorf("names unknown variable %q", name)
		}
		parts = append(parts, lit, name)
		s = s[i+2+j+2:]
	}
}

// render substitutes every name with its value ("" when unset).
func (t template) render(value func(string) string) string {
	if len(t.parts) == 1 {
		return t.parts[0]
	}
	var b strings.Builder
	for i, p := range t.parts {
		if i%2 == 1 {
			b.WriteString(value(p))
		} else {
			b.WriteString(p)
		}
	}
	return b.String()
}
