package flags

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"slices"
	"time"

	"example.com/kestrel/internal/httpx"
	"example.com/kestrel/internal/keys"
	"example.com/kestrel/internal/policy"
	"example.com/kestrel/internal/store"
)

// Variant is the outcome of evaluating one flag for one user.
type Variant struct {
	Flag   string `json:"flag"`
	On     bool   `json:"on"`
	Reason string `json:"reason"`
}

// EvalRequest asks for one flag.
type EvalRequest struct {
	Flag       string            `json:"flag"`
	Org        string            `json:"org"`
	UserID     string            `json:"user_id"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

// bucket places a user in [0,100) for a flag, stable across requests.
func bucket(flag, user string) int {
	sum := sha256.Sum256([]byte(flag + "\x00" + user))
	return int(binary.BigEndian.Uint32(sum[:4]) % 100)
}

func (f Flag) evaluate(req EvalRequest) Variant {
	for _, r := range f.Rules {
		if v, ok := req.Attributes[r.Attribute]; ok && slices.Contains(r.Values, v) {
			return Variant{Flag: f.Key, On: r.On, Reason: "rule:" + r.Attribute}
		}
	}
	if f.Rollout > 0 && bucket(f.Key, req.UserID) < f.Rollout {
		return Variant{Flag: f.Key, On: true, Reason: "rollout"}
	}
	return Variant{Flag: f.Key, On: f.Default, Reason: "default"}
}

// Evaluator evaluates flags with a short per-user result cache.
type Evaluator struct {
	flags  *Service
	st     store.Store
	ttlFor func(policy.Kind) time.Duration
}

// NewEvaluator returns an Evaluator; a nil ttlFor uses the kind defaults.
func NewEvaluator(flags *Service, st store.Store, ttlFor func(policy.Kind) time.Duration) *Evaluator {
	if ttlFor == nil {
		ttlFor = policy.Kind.TTL
	}
	return &Evaluator{flags: flags, st: st, ttlFor: ttlFor}
}

func evalKey(req EvalRequest) string {
	attrs, _ := json.Marshal(req.Attributes) // map keys are sorted
	return "eval/" + keys.Digest(req.Org, req.UserID, req.Flag, string(attrs))
}

func (e *Evaluator) cached(ctx context.Context, key string) (httpx.Option[Variant], error) {
	raw, err := e.st.Get(ctx, key)
	if store.IsNotFound(err) {
		return httpx.None[Variant](), nil
	}
	if err != nil {
		return httpx.None[Variant](), err
	}
	var v Variant
	if json.Unmarshal([]byte(raw), &v) != nil {
		return httpx.None[Variant](), nil
	}
	return httpx.Some(v), nil
}

// Evaluate returns the variant of req.Flag for the user.
func (e *Evaluator) Evaluate(ctx context.Context, req EvalRequest) (Variant, error) {
	key := evalKey(req)
	hit, err := e.cached(ctx, key)
	if err != nil {
		return Variant{}, err
	}
	if v, ok := hit.Get(); ok {
		return v, nil
	}
	f, err := e.flags.Get(ctx, req.Flag)
	if err != nil {
		return Variant{}, err
	}
	v := f.evaluate(req)
	if body, err := json.Marshal(v); err == nil {
		if err := e.st.Put(ctx, key, string(body), e.ttlFor(policy.KindEvalCache)); err != nil {
			e.flags.log.Warn("eval cache write failed", "flag", req.Flag, "err", err)
		}
	}
	return v, nil
}
