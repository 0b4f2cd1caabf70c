package flags

import "testing"

func TestFlags(t *testing.T) {
	f := New(MapSource{"flag:previews": "false", "flag:preview_variant": "compact"}, map[string]bool{"previews": true, "qr": true})
	if f.Enabled("previews") {
		t.Error("stored value ignored")
	}
	if !f.Enabled("qr") {
		t.Error("default ignored")
	}
	if got := f.String("preview_variant", "basic"); got != "compact" {
		t.Errorf("variant = %q", got)
	}
	if got := f.String("missing", "basic"); got != "basic" {
		t.Errorf("missing = %q", got)
	}
}
