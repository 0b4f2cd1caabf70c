package suite

import (
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis"
)

func fakeSuite() []*analysis.Analyzer {
	model := &analysis.Analyzer{Name: "kvm", Doc: "a model"}
	a := &analysis.Analyzer{Name: "kva", Doc: "a", Requires: []*analysis.Analyzer{model}}
	a.Flags.Int("min", 60, "minimum")
	return []*analysis.Analyzer{model, a, {Name: "kvb", Doc: "b", Requires: []*analysis.Analyzer{model, a}}}
}

func names(as []*analysis.Analyzer) string {
	var s []string
	for _, a := range as {
		s = append(s, a.Name)
	}
	return strings.Join(s, ",")
}

func TestSelect(t *testing.T) {
	all := fakeSuite()
	for _, tc := range []struct {
		enable, disable []string
		want            string // names, or the error
	}{
		{nil, nil, "kvm,kva,kvb"},
		{[]string{"kvb"}, nil, "kvb"},
		{nil, []string{"kva"}, "kvm,kvb"},
		{[]string{"kva", "kvb"}, []string{"kvb"}, "kva"},
		{[]string{"kvc"}, nil, `unknown analyzer "kvc"`},
		{nil, []string{"kvc"}, `unknown analyzer "kvc"`},
		{[]string{"kva"}, []string{"kva"}, "no analyzers left"},
		{[]string{"kvm"}, nil, "kvm reports nothing itself: it is the model that the other analyzers share"},
		{nil, []string{"kvm"}, "kvm reports nothing itself"},
		{nil, []string{"kva", "kvb"}, "no analyzers left"},
		{[]string{"kva"}, nil, "kva"}, // required by kvb, yet a check
	} {
		got, err := Select(all, tc.enable, tc.disable)
		res := names(got)
		if err != nil {
			res = err.Error()
		}
		if !strings.Contains(res, tc.want) {
			t.Errorf("Select(enable=%v, disable=%v) = %s, want %s", tc.enable, tc.disable, res, tc.want)
		}
	}
}

func TestSetOption(t *testing.T) {
	all := fakeSuite()
	if err := SetOption(all, "kva", "min", "120"); err != nil {
		t.Fatal(err)
	}
	if got := all[1].Flags.Lookup("min").Value.String(); got != "120" {
		t.Errorf("kva.min = %s, want 120", got)
	}
	for _, bad := range [][3]string{{"kvc", "min", "1"}, {"kva", "max", "1"}, {"kva", "min", "soon"}} {
		if err := SetOption(all, bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("SetOption(%q, %q, %q): no error", bad[0], bad[1], bad[2])
		}
	}
}
