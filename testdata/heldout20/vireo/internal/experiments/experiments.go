// Package experiments runs A/B tests of consultation page layouts. Definitions
// and per-citizen assignments live in their own KV namespace.
package experiments

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore/kvx"
)

const definitionKind = "experiment/v1"

func definitionKey(id string) string { return "experiment:" + id }
func assignmentKey(id, citizen string) string {
	return strings.Join([]string{"assignment", id, citizen}, ":")
}

// Lab reads and writes experiments.
type Lab struct {
	KV        *kv.NamespaceService
	AccountID string
	Namespace string
	mu        sync.RWMutex
	defs      map[string]domain.Experiment
}

// NewLab returns a Lab with an empty definition cache.
func NewLab(ns *kv.NamespaceService, accountID, namespace string) *Lab {
	return &Lab{KV: ns, AccountID: accountID, Namespace: namespace, defs: map[string]domain.Experiment{}}
}

func (l *Lab) getParams() kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(l.AccountID)}
}

func (l *Lab) putParams(raw []byte) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(l.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(raw)),
	}
}

func (l *Lab) read(ctx context.Context, key string) ([]byte, error) {
	res, err := l.KV.Values.Get(ctx, l.Namespace, key, l.getParams())
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, fmt.Errorf("%s: %w", key, domain.ErrNotFound)
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(io.LimitReader(res.Body, 1<<20))
}

// Define stores an experiment; it disappears from KV when it ends.
func (l *Lab) Define(ctx context.Context, e domain.Experiment) error {
	raw, err := kvx.Seal(definitionKind, e)
	if err != nil {
		return err
	}
	params := l.putParams(raw)
	params.Expiration = cloudflare.F(float64(e.EndsAt.UnixMilli())) // EXPECT kvttl
	params.Metadata = cloudflare.F[any](map[string]string{"name": e.Name})
	if _, err := l.KV.Values.Update(ctx, l.Namespace, definitionKey(e.ID), params); err != nil {
		return err
	}
	l.mu.Lock()
	delete(l.defs, e.ID)
	l.mu.Unlock()
	return nil
}

// Definition returns an experiment, cached in process.
func (l *Lab) Definition(ctx context.Context, id string) (domain.Experiment, error) {
	l.mu.RLock()
	e, ok := l.defs[id]
	l.mu.RUnlock()
	if ok {
		return e, nil
	}
	raw, err := l.read(ctx, definitionKey(id))
	if err != nil {
		return e, err
	}
	e, err = kvx.Open[domain.Experiment](raw, definitionKind)
	if err != nil {
		return e, err
	}
	l.mu.Lock()
	l.defs[id] = e
	l.mu.Unlock()
	return e, nil
}

// AddVariant adds a layout arm to a running experiment.
func (l *Lab) AddVariant(ctx context.Context, id string, v domain.Variant) error {
	raw, err := l.read(ctx, definitionKey(id))
	if err != nil {
		return err
	}
	e, err := kvx.Open[domain.Experiment](raw, definitionKind)
	if err != nil {
		return err
	}
	for _, existing := range e.Variants {
		if existing.Name == v.Name {
			return fmt.Errorf("variant %s: %w", v.Name, domain.ErrConflict)
		}
	}
	e.Variants = append(e.Variants, v)
	raw, err = kvx.Seal(definitionKind, e)
	if err != nil {
		return err
	}
	_, err = l.KV.Values.Update(ctx, l.Namespace, definitionKey(id), l.putParams(raw)) // EXPECT kvrace
	l.mu.Lock()
	delete(l.defs, id)
	l.mu.Unlock()
	return err
}

// Assign returns the citizen's layout variant, assigning one on first sight.
func (l *Lab) Assign(ctx context.Context, id, citizenID string) (domain.Variant, error) {
	e, err := l.Definition(ctx, id)
	if err != nil {
		return domain.Variant{}, err
	}
	key := assignmentKey(id, citizenID)
	res, err := l.KV.Values.Get(ctx, l.Namespace, key, l.getParams()) // EXPECT kvnull
	if err == nil {
		defer res.Body.Close()
		name, _ := io.ReadAll(io.LimitReader(res.Body, 128))
		for _, v := range e.Variants {
			if v.Name == string(name) {
				return v, nil
			}
		}
	}
	v := pick(e.Variants)
	params := l.putParams([]byte(v.Name))
	params.ExpirationTTL = cloudflare.F(max(time.Until(e.EndsAt), time.Hour).Seconds())
	_, err = l.KV.Values.Update(ctx, l.Namespace, key, params)
	return v, err
}

func pick(vs []domain.Variant) domain.Variant {
	total := 0
	for _, v := range vs {
		total += max(v.Weight, 0)
	}
	if total == 0 {
		return vs[0]
	}
	n := rand.IntN(total)
	for _, v := range vs {
		if n < v.Weight {
			return v
		}
		n -= v.Weight
	}
	return vs[len(vs)-1]
}
