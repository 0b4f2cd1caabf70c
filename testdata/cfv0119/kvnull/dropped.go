package kvnull

import (
	"context"
	"encoding/json"

	"github.com/cloudflare/cloudflare-go"
)

// The error dropped, then the value tested for emptiness: that test
// takes a timeout for a miss, and is where it is said.
func (s *profiles) chapterMarks(ctx context.Context, id string) ([]float64, error) {
	raw, _ := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: "chapters:" + id})
	if len(raw) > 0 { // want `this miss check tests the value of a get whose error is dropped`
		var marks []float64
		return marks, json.Unmarshal(raw, &marks)
	}
	return nil, nil
}

// With no test of the value, the get is where it is said.
func (s *profiles) theme(ctx context.Context, id string) string {
	raw, _ := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: "theme:" + id}) // want `the error of this get is dropped`
	return string(raw)
}
