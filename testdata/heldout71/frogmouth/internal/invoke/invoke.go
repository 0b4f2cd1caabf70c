// Package invoke runs one function invocation end to end: quota, cached
// output, the sandbox for the function's runtime, and the records that the
// console shows afterwards.
package invoke

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/frogmouth-dev/frogmouth/internal/deploy"
	"github.com/frogmouth-dev/frogmouth/internal/kvplugin"
	"github.com/frogmouth-dev/frogmouth/internal/logtail"
	"github.com/frogmouth-dev/frogmouth/internal/outputs"
	"github.com/frogmouth-dev/frogmouth/internal/quota"
	"github.com/frogmouth-dev/frogmouth/internal/sandbox/jshost"
	"github.com/frogmouth-dev/frogmouth/internal/sandbox/wasmhost"
	"github.com/frogmouth-dev/frogmouth/internal/schedule"
)

// ErrQuotaExceeded is returned when the tenant used up its daily allowance.
var ErrQuotaExceeded = errors.New("invoke: daily invocation quota exceeded")

// ErrNotDeployed is returned for a function with no active version.
var ErrNotDeployed = errors.New("invoke: function has no active version")

// Runner wires the sandboxes to the stores.
type Runner struct {
	Deploy  *deploy.Service
	Meter   *quota.Meter
	Outputs *outputs.Cache
	Wasm    *wasmhost.Host
	JS      *jshost.Host
	Records kvplugin.Store
	Logs    *logtail.Tail
	Log     *slog.Logger
}

// Request is an invocation as the edge forwards it.
type Request struct {
	Tenant   string
	Function string
	Input    []byte
	Trigger  string
}

// Response is the function's answer.
type Response struct {
	ID     string
	Body   []byte
	Cached bool
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Invoke runs req.
func (r *Runner) Invoke(ctx context.Context, req Request) (Response, error) {
	id := newID()
	ok, err := r.Meter.Charge(ctx, req.Tenant, id)
	if err != nil {
		return Response{}, err
	}
	if !ok {
		return Response{}, ErrQuotaExceeded
	}
	fn, err := r.Deploy.Get(ctx, req.Tenant, req.Function)
	if err != nil {
		return Response{}, err
	}
	v, ok := fn.ActiveVersion()
	if !ok {
		return Response{}, ErrNotDeployed
	}
	key := outputs.Key{Tenant: req.Tenant, Function: req.Function, Version: v.N, Input: req.Input}
	if body, hit, err := r.Outputs.Lookup(ctx, key); err != nil {
		r.Log.Warn("output cache", "fn", req.Function, "err", err)
	} else if hit {
		return Response{ID: id, Body: body, Cached: true}, nil
	}

	started := time.Now()
	body, err := r.run(ctx, id, req, v)
	elapsed := time.Since(started)
	r.record(req, id, v, body, elapsed, err)
	if err != nil {
		return Response{ID: id}, err
	}
	if err := r.Outputs.Save(ctx, key, outputs.Result{Body: body, ContentType: "application/json", MaxAge: 300}); err != nil {
		r.Log.Warn("save output", "fn", req.Function, "err", err)
	}
	return Response{ID: id, Body: body}, nil
}

func (r *Runner) run(ctx context.Context, id string, req Request, v deploy.Version) ([]byte, error) {
	switch v.Runtime {
	case deploy.RuntimeWasm:
		return r.Wasm.Invoke(ctx, wasmhost.Invocation{
			ID: id, Tenant: req.Tenant, Function: req.Function,
			Version: v.N, Digest: v.Digest, Input: req.Input,
		})
	case deploy.RuntimeJS:
		src, err := r.Deploy.Code(ctx, req.Tenant, req.Function, v.N)
		if err != nil {
			return nil, err
		}
		var in map[string]any
		if len(req.Input) > 0 {
			if err := json.Unmarshal(req.Input, &in); err != nil {
				return nil, fmt.Errorf("input: %w", err)
			}
		}
		return r.JS.Run(ctx, jshost.Invocation{
			ID: id, Tenant: req.Tenant, Function: req.Function,
			Digest: v.Digest, Source: string(src), Request: in,
		})
	default:
		return nil, fmt.Errorf("invoke: unknown runtime %q", v.Runtime)
	}
}

// record writes what the console's function page shows: the last output,
// the last run and a per-invocation trace.
func (r *Runner) record(req Request, id string, v deploy.Version, body []byte, took time.Duration, runErr error) {
	fnKey := req.Tenant + ":" + req.Function
	status := "ok"
	if runErr != nil {
		status = runErr.Error()
	}
	if err := r.Records.Put("lastout:"+fnKey, body, 15); err != nil { // EXPECT kvttl
		r.Log.Warn("record last output", "err", err)
	}
	last, _ := json.Marshal(map[string]any{"id": id, "version": v.N, "took_ms": took.Milliseconds(), "status": status})
	if err := r.Records.Put("lastrun:"+fnKey+":"+id[:4], last, 3600); err != nil {
		r.Log.Warn("record last run", "err", err)
	}
	if err := r.Records.Append("trace:"+id, fmt.Sprintf("%s v%d %s %s", req.Function, v.N, took, status)); err != nil {
		r.Log.Warn("record trace", "err", err)
	}
}

// Warm compiles and runs every listed function once with an empty input so
// that the first real request does not pay for compilation.
func (r *Runner) Warm(ctx context.Context, fns []deploy.Route) error {
	var errs []error
	for i, f := range fns {
		_, err := r.Invoke(ctx, Request{Tenant: f.Tenant, Function: f.Function, Trigger: "warmup"})
		if err != nil && !errors.Is(err, ErrNotDeployed) {
			errs = append(errs, fmt.Errorf("%s/%s: %w", f.Tenant, f.Function, err))
		}
		if err := r.Records.Put("warm:"+f.Tenant+":"+f.Function, []byte(time.Now().UTC().Format(time.RFC3339)), 86400); err != nil {
			errs = append(errs, err)
		}
		progress := fmt.Sprintf("%d/%d", i+1, len(fns))
		if err := r.Records.Put("warmup:progress", []byte(progress), 600); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Dispatch implements schedule.Dispatcher.
func (r *Runner) Dispatch(ctx context.Context, t schedule.Trigger) (string, error) {
	input, _ := json.Marshal(map[string]any{"trigger": t.ID, "scheduled_for": t.Next.UTC().Format(time.RFC3339)})
	res, err := r.Invoke(context.WithoutCancel(ctx), Request{Tenant: t.Tenant, Function: t.Function, Input: input, Trigger: t.ID})
	return res.ID, err
}

var _ schedule.Dispatcher = (*Runner)(nil)
