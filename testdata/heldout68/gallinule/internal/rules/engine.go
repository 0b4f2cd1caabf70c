// Package rules evaluates per-workspace rules that users write in the expr
// language. A rule decides how long a tool result is cached, how many calls
// a tool allows per day, or whether a call is allowed at all.
//
// Rules are stored in KV under rules/<workspace>/<kind>/<name>; the list of
// rule names of a workspace is kept in rules-index/<workspace>.
package rules

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/birdline/gallinule/internal/kvstore"
)

// Kind says what a rule's result means.
type Kind string

const (
	KindTTL   Kind = "ttl"   // seconds to cache a tool result
	KindLimit Kind = "limit" // calls per day
	KindAllow Kind = "allow" // boolean gate
)

// Env is what a rule can see. The functions read workspace data from KV.
type Env struct {
	Workspace string         `expr:"workspace"`
	Tool      string         `expr:"tool"`
	Args      map[string]any `expr:"args"`
	Hour      int            `expr:"hour"`
	Weekday   string         `expr:"weekday"`

	Lookup func(name string) string `expr:"lookup"`
	Count  func(name string) int    `expr:"count"`
	Flag   func(name string) bool   `expr:"flag"`
}

// Engine compiles and runs rules.
type Engine struct {
	NS   *kvstore.Namespace // rules and workspace data
	Data *kvstore.Namespace // values the rule functions read

	mu       sync.Mutex
	compiled map[string]*vm.Program
}

// defaultResultTTL applies when a workspace has no ttl rule for a tool.
const defaultResultTTL = 45

func ruleKey(ws string, kind Kind, tool string) string {
	return "rules/" + ws + "/" + string(kind) + "/" + tool
}

func (e *Engine) env(ctx context.Context, ws, tool string, args map[string]any) Env {
	now := time.Now().UTC()
	return Env{
		Workspace: ws, Tool: tool, Args: args, Hour: now.Hour(), Weekday: now.Weekday().String(),
		Lookup: func(name string) string {
			raw, err := e.Data.Get(ctx, "data/"+ws+"/"+name)
			if err != nil {
				return ""
			}
			return string(raw)
		},
		Count: func(name string) int {
			raw, _ := e.Data.Get(ctx, "count/"+ws+"/"+name) // EXPECT kvnull
			n, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
			return n
		},
		Flag: func(name string) bool {
			_, err := e.Data.Get(ctx, "flag/"+ws+"/"+name)
			return err == nil
		},
	}
}

func (e *Engine) program(ctx context.Context, ws string, kind Kind, tool string) (*vm.Program, error) {
	key := ruleKey(ws, kind, tool)
	e.mu.Lock()
	p, ok := e.compiled[key]
	e.mu.Unlock()
	if ok {
		return p, nil
	}
	src, err := e.NS.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	p, err = compile(kind, string(src))
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", key, err)
	}
	e.mu.Lock()
	if e.compiled == nil {
		e.compiled = make(map[string]*vm.Program)
	}
	e.compiled[key] = p
	e.mu.Unlock()
	return p, nil
}

func compile(kind Kind, src string) (*vm.Program, error) {
	opts := []expr.Option{expr.Env(Env{})}
	switch kind {
	case KindTTL, KindLimit:
		opts = append(opts, expr.AsInt())
	case KindAllow:
		opts = append(opts, expr.AsBool())
	default:
		return nil, fmt.Errorf("unknown rule kind %q", kind)
	}
	return expr.Compile(src, opts...)
}

// ResultTTL returns how long to cache the result of tool called with args.
func (e *Engine) ResultTTL(ctx context.Context, ws, tool string, args map[string]any) (time.Duration, error) {
	p, err := e.program(ctx, ws, KindTTL, tool)
	if errors.Is(err, kvstore.ErrNotFound) {
		return defaultResultTTL * time.Second, nil
	}
	if err != nil {
		return 0, err
	}
	out, err := expr.Run(p, e.env(ctx, ws, tool, args))
	if err != nil {
		return 0, err
	}
	return time.Duration(out.(int)) * time.Second, nil
}

// DailyLimit returns the per-day call limit for tool, or fallback when the
// workspace has no limit rule.
func (e *Engine) DailyLimit(ctx context.Context, ws, tool string, fallback int) int {
	p, err := e.program(ctx, ws, KindLimit, tool)
	if err != nil {
		return fallback
	}
	out, err := expr.Run(p, e.env(ctx, ws, tool, nil))
	if err != nil {
		return fallback
	}
	return out.(int)
}

// Allow runs the workspace's allow rule for tool; no rule means allowed.
func (e *Engine) Allow(ctx context.Context, ws, tool string, args map[string]any) (bool, error) {
	p, err := e.program(ctx, ws, KindAllow, tool)
	if errors.Is(err, kvstore.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	out, err := expr.Run(p, e.env(ctx, ws, tool, args))
	if err != nil {
		return false, err
	}
	allowed := out.(bool)
	if !allowed {
		e.recordDenial(ctx, ws, tool)
	}
	return allowed, nil
}

func (e *Engine) recordDenial(ctx context.Context, ws, tool string) {
	key := "rule-hits/" + ws + "/" + tool
	n := 0
	switch raw, err := e.Data.Get(ctx, key); {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return
	default:
		n, _ = strconv.Atoi(string(raw))
	}
	_ = e.Data.Put(ctx, key, []byte(strconv.Itoa(n+1)), 0) // EXPECT kvcounter|kvrace
}
