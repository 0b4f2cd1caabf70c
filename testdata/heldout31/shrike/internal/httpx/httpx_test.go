package httpx

import (
	"reflect"
	"testing"
)

func TestMergePatch(t *testing.T) {
	doc := map[string]any{"a": "x", "b": map[string]any{"c": 1.0, "d": 2.0}, "e": true}
	patch := map[string]any{"a": "y", "b": map[string]any{"c": nil}, "e": nil, "f": 3.0}
	got := MergePatch(doc, patch)
	want := map[string]any{"a": "y", "b": map[string]any{"d": 2.0}, "f": 3.0}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
}
