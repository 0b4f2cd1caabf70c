// Package tools holds the functions the assistant can call on the user's
// behalf. A Registry is built per conversation turn, bound to one user.
package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/kakariki-ai/kakariki/internal/llm"
)

// Tool is one callable capability advertised to the model.
type Tool interface {
	Name() string
	Description() string
	Schema() json.RawMessage
	Call(ctx context.Context, args json.RawMessage) (string, error)
}

// Registry maps tool names to tools.
type Registry struct {
	byName map[string]Tool
}

// NewRegistry returns a registry of the given tools.
func NewRegistry(ts ...Tool) *Registry {
	r := &Registry{byName: make(map[string]Tool, len(ts))}
	for _, t := range ts {
		r.byName[t.Name()] = t
	}
	return r
}

// Lookup finds a tool by the name the model used.
func (r *Registry) Lookup(name string) (Tool, bool) {
	t, ok := r.byName[name]
	return t, ok
}

// Specs lists the tools for the model, sorted by name.
func (r *Registry) Specs() []llm.ToolSpec {
	specs := make([]llm.ToolSpec, 0, len(r.byName))
	for _, t := range r.byName {
		specs = append(specs, llm.ToolSpec{Name: t.Name(), Description: t.Description(), Parameters: t.Schema()})
	}
	slices.SortFunc(specs, func(a, b llm.ToolSpec) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return specs
}

// decode unmarshals tool arguments, wrapping errors so the model can retry.
func decode[T any](raw json.RawMessage) (T, error) {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, fmt.Errorf("invalid arguments: %w", err)
	}
	return v, nil
}
