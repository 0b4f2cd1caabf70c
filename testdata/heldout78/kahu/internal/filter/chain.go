// Package filter runs accepted messages through a chain of handlers. Each
// handler either decides the message's fate or passes it to the next one.
package filter

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kahu/internal/kv"
	"kahu/internal/mail"
	"kahu/internal/policy"
)

// Outcome is a handler's decision.
type Outcome int

const (
	Accept Outcome = iota
	Reject
	TempFail
)

// Verdict is the chain's answer for one message.
type Verdict struct {
	Outcome Outcome
	Code    int
	Reason  string
	By      string
}

// Handler is one link of the chain.
type Handler interface {
	SetNext(h Handler) Handler
	Handle(ctx context.Context, msg *mail.Message) (Verdict, error)
}

// link carries the next pointer; handlers embed it and call pass.
type link struct{ next Handler }

func (l *link) SetNext(h Handler) Handler {
	l.next = h
	return h
}

func (l *link) pass(ctx context.Context, msg *mail.Message) (Verdict, error) {
	if l.next == nil {
		return Verdict{Outcome: Accept, Code: 250}, nil
	}
	return l.next.Handle(ctx, msg)
}

// Deps are the stores handlers may need.
type Deps struct {
	Dedupe       kv.Namespace
	Quotas       kv.Namespace
	Suppressions policy.Suppressions
	Policies     map[string]policy.Spec
	DailyLimit   func(customer string) int
	DedupeWindow time.Duration
	MaxSize      int64
}

// Assemble builds a chain from handler names in configuration order, e.g.
// "size,dedupe,policy:verified,!blocked,suppress,quota".
func Assemble(spec string, d Deps) (Handler, error) {
	var head, tail Handler
	add := func(h Handler) {
		if head == nil {
			head, tail = h, h
			return
		}
		tail = tail.SetNext(h)
	}
	for _, name := range splitTop(spec) {
		switch {
		case name == "size":
			add(&SizeLimit{Max: d.MaxSize})
		case name == "dedupe":
			add(&Dedupe{NS: d.Dedupe, Window: d.DedupeWindow})
		case strings.HasPrefix(name, "policy:"):
			s, err := policy.Build(strings.TrimPrefix(name, "policy:"), d.Policies)
			if err != nil {
				return nil, err
			}
			add(&Policy{Name: name, Spec: s})
		case name == "suppress":
			add(&Suppress{S: d.Suppressions})
		case name == "quota":
			add(&Quota{NS: d.Quotas, Limit: d.DailyLimit})
		default:
			return nil, fmt.Errorf("filter: unknown handler %q", name)
		}
	}
	if head == nil {
		return nil, fmt.Errorf("filter: empty chain")
	}
	return head, nil
}

// splitTop splits on commas that are not inside a policy: expression,
// which runs to the next ';'.
func splitTop(spec string) []string {
	var out []string
	for _, part := range strings.Split(spec, ";") {
		part = strings.TrimSpace(part)
		if strings.HasPrefix(part, "policy:") {
			out = append(out, part)
			continue
		}
		for _, n := range strings.Split(part, ",") {
			if n = strings.TrimSpace(n); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}
