package plugin

import (
	"flag"
	"strings"
	"testing"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/kvlint/kvlint/analyzers"
)

// The plugin must be registered under the name .golangci.yml uses.
func TestRegistered(t *testing.T) {
	if _, err := register.GetPlugin("kvlint"); err != nil {
		t.Fatal(err)
	}
}

func TestNew(t *testing.T) {
	all := analyzers.All()
	p, err := New(nil) // no settings block at all
	if err != nil {
		t.Fatal(err)
	}
	if got := p.GetLoadMode(); got != register.LoadModeTypesInfo {
		t.Errorf("GetLoadMode() = %q, want %q", got, register.LoadModeTypesInfo)
	}
	got, err := p.BuildAnalyzers()
	if want := len(all) - 1; err != nil || len(got) != want {
		t.Errorf("BuildAnalyzers() = %d analyzers, %v; want all %d but kvapi, which they require", len(got), err, want)
	}
}

// golangci-lint makes each related location an issue of its own, so the
// plugin's analyzers report none.
func TestWithoutRelated(t *testing.T) {
	reporter := &analysis.Analyzer{
		Name: "reporter",
		Doc:  "reports a finding with a related location",
		Run: func(pass *analysis.Pass) (any, error) {
			pass.Report(analysis.Diagnostic{Pos: 1, Message: "finding", Related: []analysis.RelatedInformation{{Pos: 1, Message: "see here"}}})
			return "result", nil
		},
	}
	var got []analysis.Diagnostic
	pass := &analysis.Pass{Report: func(d analysis.Diagnostic) { got = append(got, d) }}
	res, err := withoutRelated(reporter).Run(pass)
	if err != nil || res != "result" {
		t.Fatalf("Run = %v, %v; want the analyzer's result", res, err)
	}
	if len(got) != 1 || got[0].Message != "finding" || got[0].Related != nil {
		t.Errorf("reported %+v, want the finding with no related location", got)
	}
}

func TestNewEnableDisable(t *testing.T) {
	p, err := New(map[string]any{"enable": []any{"kvttl"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := p.BuildAnalyzers(); len(got) != 1 || got[0].Name != "kvttl" {
		t.Errorf("enable [kvttl]: BuildAnalyzers() = %v", got)
	}
	// Disabling everything leaves nothing to run: a configuration error.
	if _, err := New(map[string]any{"disable": []any{"kvttl"}, "enable": []any{"kvttl"}}); err == nil {
		t.Error("enable and disable of the same analyzer: no error")
	}
}

// Options are applied to the analyzers' flags, process-wide.
func TestNewOptions(t *testing.T) {
	var min *flag.Flag
	for _, a := range analyzers.All() {
		if a.Name == "kvttl" {
			min = a.Flags.Lookup("min")
		}
	}
	if min == nil {
		t.Fatal("no kvttl analyzer with a min flag")
	}
	defer min.Value.Set(min.DefValue)

	// As golangci-lint passes them, after its YAML decoding.
	_, err := New(map[string]any{"options": map[string]any{"kvttl": map[string]any{"min": 120}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := min.Value.String(); got != "120" {
		t.Errorf("kvttl min = %s after options {kvttl: {min: 120}}, want 120", got)
	}
}

func TestNewBadSettings(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings any
		want     string // in the error
	}{
		{"unknown field", map[string]any{"enabled": []any{"kvttl"}}, `unknown field "enabled"`},
		{"wrong type", map[string]any{"enable": "kvttl"}, "cannot unmarshal"},
		{"unknown analyzer", map[string]any{"disable": []any{"kvnope"}}, `unknown analyzer "kvnope"`},
		{"unknown analyzer in options", map[string]any{"options": map[string]any{"kvnope": map[string]any{"min": 1}}}, `unknown analyzer "kvnope"`},
		{"unknown option", map[string]any{"options": map[string]any{"kvttl": map[string]any{"max": 1}}}, `no option "max"`},
		{"bad value", map[string]any{"options": map[string]any{"kvttl": map[string]any{"min": "soon"}}}, "kvttl.min"},
		{"minimum below KV's", map[string]any{"options": map[string]any{"kvttl": map[string]any{"min": 30}}}, "30 is below 60"},
		{"model enabled alone", map[string]any{"enable": []any{"kvapi"}}, "kvapi reports nothing itself"},
		{"value of wrong shape", map[string]any{"options": map[string]any{"kvttl": map[string]any{"min": map[string]any{}}}}, "unsupported value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.settings)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New(%v) error = %v, want one containing %q", tc.settings, err, tc.want)
			}
		})
	}
}

func TestFlagValue(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{60.0, "60"},
		{1.5, "1.5"},
		{true, "true"},
		{"session,token", "session,token"},
		{[]any{"session", "token", 3.0}, "session,token,3"},
	} {
		if got, err := flagValue(tc.in); err != nil || got != tc.want {
			t.Errorf("flagValue(%v) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
