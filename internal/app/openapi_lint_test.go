package app_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/arcadehq/arcade/internal/nodetest"
	"github.com/arcadehq/arcade/internal/store"
)

// redocly returns the pinned Redocly CLI of testdata/redocly, installing it with npm ci on first
// use. Without npm the lint is skipped, except under CI, where it must run.
func redocly(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.Abs(filepath.Join("testdata", "redocly"))
	bin := filepath.Join(dir, "node_modules", ".bin", "redocly")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	nodetest.Install(t, dir, filepath.Join(".bin", "redocly"))
	return bin
}

// TestOpenAPILint runs the Redocly CLI's recommended rules over the served document: a client
// generator can trust it only if it passes with no error.
func TestOpenAPILint(t *testing.T) {
	bin := redocly(t)
	s := newServer(t, store.SQLite)
	r := s.do("GET", "/openapi.json", "", nil)
	file := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(file, r.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "lint", "--extends", "recommended", "--format", "json", file)
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	out, _ := cmd.Output()
	var rep struct {
		Totals   struct{ Errors, Warnings int } `json:"totals"`
		Problems []struct {
			RuleID   string `json:"ruleId"`
			Severity string `json:"severity"`
			Message  string `json:"message"`
			Location []struct {
				Pointer string `json:"pointer"`
			} `json:"location"`
		} `json:"problems"`
	}
	if err := json.Unmarshal(out[strings.IndexByte(string(out), '{'):], &rep); err != nil {
		t.Fatalf("redocly output: %v\n%.2000s", err, out)
	}
	for _, p := range rep.Problems {
		where := ""
		if len(p.Location) > 0 {
			where = p.Location[0].Pointer
		}
		if p.Severity == "error" {
			t.Errorf("%s %s: %s", p.RuleID, where, p.Message)
		} else {
			t.Logf("warning %s %s: %s", p.RuleID, where, p.Message)
		}
	}
	t.Logf("redocly: %d errors, %d warnings", rep.Totals.Errors, rep.Totals.Warnings)
}

// TestOpenAPIYAML: /openapi.yaml is the same document as /openapi.json.
func TestOpenAPIYAML(t *testing.T) {
	s := newServer(t, store.SQLite)
	j := s.do("GET", "/openapi.json", "", nil)
	y := s.do("GET", "/openapi.yaml", "", nil)
	var fromYAML any
	if err := yaml.Unmarshal(y.Raw, &fromYAML); err != nil || y.Status != 200 || !strings.HasPrefix(y.Header.Get("Content-Type"), "application/yaml") {
		t.Fatalf("yaml: %d %v %.200s", y.Status, err, y.Raw)
	}
	a, _ := json.Marshal(fromYAML)
	var fromJSON any
	_ = json.Unmarshal(j.Raw, &fromJSON)
	b, _ := json.Marshal(fromJSON)
	if string(a) != string(b) {
		t.Fatal("the YAML and JSON documents differ")
	}
	if servers, _ := j.Body["servers"].([]any); len(servers) != 1 {
		t.Fatalf("servers: %v", j.Body["servers"])
	}
}
