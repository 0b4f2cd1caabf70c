//go:build js && wasm

// Package assign picks a variant of an experiment for a subject. Each
// experiment names its strategy; strategies are looked up at run time.
package assign

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/exptrack/redstart/internal/keys"
	"github.com/exptrack/redstart/internal/kvedge"
	"github.com/exptrack/redstart/internal/model"
	"github.com/exptrack/redstart/internal/pipeline"
)

// ErrKilled is returned for an experiment stopped by its kill switch.
var ErrKilled = errors.New("assign: experiment stopped")

// stickyFor is how long a sticky assignment is kept after its last write.
const stickyFor = 30 * 24 * time.Hour

// Request is one assignment request.
type Request struct {
	Tenant     string
	Subject    string
	Experiment *model.Experiment
}

// Assigner picks a variant name.
type Assigner interface {
	Assign(ctx context.Context, req Request) (string, error)
}

// Strategies returns the assigners by the name experiments use for them.
// assignments is the ASSIGN namespace, counters the EVENTS namespace.
func Strategies(assignments, counters *kvedge.Store) map[string]Assigner {
	hash := hashAssigner{}
	return map[string]Assigner{
		"hash":        hash,
		"sticky":      stickyAssigner{store: assignments},
		"round-robin": roundRobinAssigner{store: counters},
		"holdout":     holdoutAssigner{store: assignments, next: hash},
	}
}

// Assign runs the experiment's strategy, falling back to hashing.
func Assign(ctx context.Context, strategies map[string]Assigner, req Request) (string, error) {
	a, ok := strategies[req.Experiment.Strategy]
	if !ok {
		a = strategies["hash"]
	}
	if !inRollout(req) {
		return control(req.Experiment), nil
	}
	return a.Assign(ctx, req)
}

// hashAssigner buckets the subject by weight; it needs no storage.
type hashAssigner struct{}

func (hashAssigner) Assign(_ context.Context, req Request) (string, error) {
	return bucket(req.Experiment, req.Subject)
}

// stickyAssigner keeps the first variant a subject got, so that a change of
// weights does not move subjects that were already exposed.
type stickyAssigner struct{ store *kvedge.Store }

func (a stickyAssigner) Assign(ctx context.Context, req Request) (string, error) {
	key := keys.Assignment(req.Tenant, req.Experiment.ID, req.Subject)
	if v, ok, err := a.store.Get(ctx, key); err != nil {
		return "", err
	} else if ok {
		return v, nil
	}
	v, err := bucket(req.Experiment, req.Subject)
	if err != nil {
		return "", err
	}
	if err := a.store.Put(ctx, key, v, stickyFor); err != nil {
		return "", err
	}
	return v, nil
}

// roundRobinAssigner hands out variants in turn, for small QA audiences.
type roundRobinAssigner struct{ store *kvedge.Store }

func (a roundRobinAssigner) Assign(ctx context.Context, req Request) (string, error) {
	key := "rr:" + req.Tenant + ":" + req.Experiment.ID
	cur, ok, err := a.store.Get(ctx, key)
	if err != nil {
		return "", err
	}
	next := 0
	if ok {
		if next, err = strconv.Atoi(cur); err != nil {
			next = 0
		}
	}
	vs := req.Experiment.Variants
	if len(vs) == 0 {
		return "", fmt.Errorf("assign: %s has no variants", req.Experiment.ID)
	}
	if err := a.store.Put(ctx, key, strconv.Itoa(next+1), 0); err != nil { // EXPECT kvcounter
		return "", err
	}
	return vs[next%len(vs)].Name, nil
}

// holdoutAssigner serves control to held-out subjects and defers the rest.
type holdoutAssigner struct {
	store *kvedge.Store
	next  Assigner
}

func (a holdoutAssigner) Assign(ctx context.Context, req Request) (string, error) {
	raw, ok, err := a.store.Get(ctx, keys.Holdout(req.Tenant, req.Experiment.ID))
	if err != nil {
		return "", err
	}
	if ok {
		var members []string
		if err := json.Unmarshal([]byte(raw), &members); err != nil {
			return "", fmt.Errorf("assign: holdout of %s: %w", req.Experiment.ID, err)
		}
		if _, held := slices.BinarySearch(members, req.Subject); held {
			return control(req.Experiment), nil
		}
	}
	return a.next.Assign(ctx, req)
}

// AddToHoldout adds subjects to an experiment's holdout group.
func AddToHoldout(ctx context.Context, store *kvedge.Store, tenant, exp string, subjects []string) error {
	env := &pipeline.Envelope{Tenant: tenant, Key: keys.Holdout(tenant, exp)}
	return pipeline.Run(ctx, env,
		readHoldout(store),
		mergeHoldout(subjects),
		writeHoldout(store),
	)
}

func readHoldout(store *kvedge.Store) pipeline.Stage {
	return func(ctx context.Context, env *pipeline.Envelope) error {
		raw, ok, err := store.Get(ctx, env.Key)
		if err != nil {
			return err
		}
		env.Raw, env.Found = raw, ok
		return nil
	}
}

func mergeHoldout(subjects []string) pipeline.Stage {
	return func(_ context.Context, env *pipeline.Envelope) error {
		var members []string
		if env.Found {
			if err := json.Unmarshal([]byte(env.Raw), &members); err != nil {
				return err
			}
		}
		members = append(members, subjects...)
		slices.Sort(members)
		members = slices.Compact(members)
		b, err := json.Marshal(members)
		if err != nil {
			return err
		}
		env.Value = string(b)
		env.Count = int64(len(members))
		return nil
	}
}

func writeHoldout(store *kvedge.Store) pipeline.Stage {
	return func(ctx context.Context, env *pipeline.Envelope) error {
		return store.Put(ctx, env.Key, env.Value, 0) // EXPECT kvrace
	}
}

type killswitch struct {
	Killed bool   `json:"killed"`
	Reason string `json:"reason"`
	By     string `json:"by"`
}

// CheckKillswitch returns ErrKilled when an operator stopped the experiment.
// The CONFIG binding is read directly so that the cache TTL stays at the
// runtime default.
func CheckKillswitch(ns *kv.Namespace, tenant, exp string) error {
	v, err := ns.GetString(keys.Killswitch(tenant, exp), nil)
	if err != nil {
		return err
	}
	if v == "" { // EXPECT kvnull
		return nil
	}
	var ks killswitch
	if err := json.Unmarshal([]byte(v), &ks); err != nil {
		return fmt.Errorf("assign: kill switch of %s: %w", exp, err)
	}
	if ks.Killed {
		return fmt.Errorf("%w: %s", ErrKilled, ks.Reason)
	}
	return nil
}

func inRollout(req Request) bool {
	p := req.Experiment.Percent
	if p >= 100 {
		return true
	}
	return int(hash64(req.Experiment.Salt+":rollout:"+req.Subject)%100) < p
}

func control(e *model.Experiment) string {
	if len(e.Variants) == 0 {
		return "control"
	}
	return e.Variants[0].Name
}

func bucket(e *model.Experiment, subject string) (string, error) {
	total := 0
	for _, v := range e.Variants {
		total += v.Weight
	}
	if total <= 0 {
		return "", fmt.Errorf("assign: %s has no weight", e.ID)
	}
	n := int(hash64(e.Salt+":"+subject) % uint64(total))
	for _, v := range e.Variants {
		if n < v.Weight {
			return v.Name, nil
		}
		n -= v.Weight
	}
	return e.Variants[len(e.Variants)-1].Name, nil
}

func hash64(s string) uint64 {
	sum := sha256.Sum256([]byte(s))
	return binary.BigEndian.Uint64(sum[:8])
}
