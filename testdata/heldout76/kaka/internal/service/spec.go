// Package service is a small, in-house take on the component model used by
// stream processors: components are registered by name together with a
// declarative config spec, and constructors read their settings back from a
// parsed config by field name.
package service

import (
	"fmt"
	"strconv"
	"sync"
	"time"
)

// FieldKind is the type of a config field.
type FieldKind int

const (
	KindString FieldKind = iota
	KindInt
	KindDuration
)

// FieldSpec describes one config field.
type FieldSpec struct {
	Name        string
	Kind        FieldKind
	Description string
	def         any
	hasDefault  bool
	optional    bool
}

// Default sets the value used when the field is absent from the config.
func (f *FieldSpec) Default(v any) *FieldSpec {
	f.def = v
	f.hasDefault = true
	return f
}

// Optional marks a field that may be left unset without a default.
func (f *FieldSpec) Optional() *FieldSpec {
	f.optional = true
	return f
}

// Describe attaches documentation to a field.
func (f *FieldSpec) Describe(s string) *FieldSpec {
	f.Description = s
	return f
}

func NewStringField(name string) *FieldSpec   { return &FieldSpec{Name: name, Kind: KindString} }
func NewIntField(name string) *FieldSpec      { return &FieldSpec{Name: name, Kind: KindInt} }
func NewDurationField(name string) *FieldSpec { return &FieldSpec{Name: name, Kind: KindDuration} }

// ConfigSpec is the declarative description of a component's settings.
type ConfigSpec struct {
	summary string
	fields  []*FieldSpec
}

// NewConfigSpec starts an empty spec.
func NewConfigSpec() *ConfigSpec { return &ConfigSpec{} }

// Summary sets the one-line description shown by `pipeline list`.
func (s *ConfigSpec) Summary(text string) *ConfigSpec {
	s.summary = text
	return s
}

// Field appends a field to the spec.
func (s *ConfigSpec) Field(f *FieldSpec) *ConfigSpec {
	s.fields = append(s.fields, f)
	return s
}

// ParsedConfig holds the values of a spec's fields after parsing.
type ParsedConfig struct {
	spec   *ConfigSpec
	values map[string]any
}

// ParseMap checks raw against the spec and fills in defaults.
func (s *ConfigSpec) ParseMap(raw map[string]any) (*ParsedConfig, error) {
	pc := &ParsedConfig{spec: s, values: map[string]any{}}
	for _, f := range s.fields {
		v, ok := raw[f.Name]
		switch {
		case ok:
			pc.values[f.Name] = v
		case f.hasDefault:
			pc.values[f.Name] = f.def
		case f.optional:
		default:
			return nil, fmt.Errorf("field %q is required", f.Name)
		}
	}
	return pc, nil
}

// FieldString returns a string field.
func (p *ParsedConfig) FieldString(name string) (string, error) {
	switch v := p.values[name].(type) {
	case string:
		return v, nil
	case nil:
		return "", fmt.Errorf("field %q not set", name)
	default:
		return fmt.Sprint(v), nil
	}
}

// FieldInt returns an integer field.
func (p *ParsedConfig) FieldInt(name string) (int, error) {
	switch v := p.values[name].(type) {
	case int:
		return v, nil
	case float64:
		return int(v), nil
	case string:
		return strconv.Atoi(v)
	default:
		return 0, fmt.Errorf("field %q: not an int (%T)", name, v)
	}
}

// FieldDuration returns a duration field; strings are parsed with
// time.ParseDuration.
func (p *ParsedConfig) FieldDuration(name string) (time.Duration, error) {
	switch v := p.values[name].(type) {
	case time.Duration:
		return v, nil
	case string:
		return time.ParseDuration(v)
	default:
		return 0, fmt.Errorf("field %q: not a duration (%T)", name, v)
	}
}

// Resources gives constructors access to shared clients.
type Resources struct {
	mu    sync.Mutex
	named map[string]any
}

// NewResources returns an empty resource set.
func NewResources() *Resources { return &Resources{named: map[string]any{}} }

// Set stores a named resource.
func (r *Resources) Set(name string, v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.named[name] = v
}

// Get fetches a named resource.
func (r *Resources) Get(name string) (any, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.named[name]
	return v, ok
}
