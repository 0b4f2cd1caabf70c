// Package pipeline runs request and job handling as an ordered list of
// stages that share one Envelope.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Envelope carries the state of one run from stage to stage.
type Envelope struct {
	Tenant  string
	Subject string

	// Key is the KV key the run is about.
	Key string
	// Raw is the value as read, Found whether it was there.
	Raw   string
	Found bool
	// Value and TTL are what a later stage will write.
	Value string
	TTL   time.Duration

	Count  int64
	Status int
	Attrs  map[string]string
	Result any
}

// Attr returns an attribute, or "" when it is not set.
func (e *Envelope) Attr(name string) string {
	if e.Attrs == nil {
		return ""
	}
	return e.Attrs[name]
}

// SetAttr sets an attribute.
func (e *Envelope) SetAttr(name, value string) {
	if e.Attrs == nil {
		e.Attrs = make(map[string]string)
	}
	e.Attrs[name] = value
}

// Stage is one step of a pipeline.
type Stage func(ctx context.Context, env *Envelope) error

// ErrHalt stops a pipeline early without failing it.
var ErrHalt = errors.New("pipeline: halt")

// Run calls the stages in order and stops at the first error. A stage that
// returns ErrHalt ends the run successfully.
func Run(ctx context.Context, env *Envelope, stages ...Stage) error {
	for i, st := range stages {
		if err := st(ctx, env); err != nil {
			if errors.Is(err, ErrHalt) {
				return nil
			}
			return fmt.Errorf("pipeline stage %d: %w", i, err)
		}
	}
	return nil
}

// Concat joins stage lists into one.
func Concat(lists ...[]Stage) []Stage {
	var out []Stage
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
