package httpx

import (
	"reflect"
	"testing"
)

func TestMergePatch(t *testing.T) {
	doc := map[string]any{"name": "Flex", "rules": map[string]any{"min": 1.0, "max": 3.0}, "old": true}
	patch := map[string]any{"rules": map[string]any{"max": nil}, "old": nil, "refundable": true}
	want := map[string]any{"name": "Flex", "rules": map[string]any{"min": 1.0}, "refundable": true}
	if got := MergePatch(doc, patch); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
}
