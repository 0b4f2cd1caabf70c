package kvrace

import (
	"context"
	"encoding/json"
	"fmt"
)

type priorResult struct {
	Procedure string `json:"procedure"`
	Result    []byte `json:"result"`
}

func (f *flags) getJSON(ctx context.Context, key string, out any) (bool, error) {
	b, err := f.read(ctx, key)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(b, out)
}

func (f *flags) putJSON(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return f.write(ctx, key, b)
}

// An idempotency check that names the prior result in its refusal, then
// records this request's: two retries both find the key free, and both
// run.
func (f *flags) once(ctx context.Context, idem, proc string, run func() ([]byte, error)) ([]byte, error) {
	key := "idem:" + proc + ":" + idem
	var prior priorResult
	found, err := f.getJSON(ctx, key, &prior)
	if err != nil {
		return nil, err
	}
	if found {
		return nil, fmt.Errorf("already processed %s: %s", prior.Procedure, prior.Result)
	}
	res, err := run()
	if err != nil {
		return nil, err
	}
	return res, f.putJSON(ctx, key, priorResult{Procedure: proc, Result: res}) // want `check-then-create on one KV key`
}

// Quiet: a read-through cache hands back what it decoded, and fills a
// miss with what the origin says.
func (f *flags) menu(ctx context.Context, id string, origin func(string) priorResult) (priorResult, error) {
	key := "menu:" + id
	var cached priorResult
	found, err := f.getJSON(ctx, key, &cached)
	if err != nil {
		return priorResult{}, err
	}
	if found {
		return cached, nil
	}
	fresh := origin(id)
	return fresh, f.putJSON(ctx, key, fresh)
}
