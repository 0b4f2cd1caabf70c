package flags

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/foundry/internal/keys"
)

// Experiment is an A/B test with named arms.
type Experiment struct {
	ID   string   `json:"id"`
	Arms []string `json:"arms"`
	Salt string   `json:"salt"`
}

// Assigner picks an arm for a player.
type Assigner interface {
	Assign(exp Experiment, playerID string) string
}

// hashAssigner is deterministic: the stored assignment is only a cache.
type hashAssigner struct{}

func (hashAssigner) Assign(exp Experiment, playerID string) string {
	sum := sha256.Sum256([]byte(exp.Salt + "/" + exp.ID + "/" + playerID))
	return exp.Arms[binary.BigEndian.Uint64(sum[:8])%uint64(len(exp.Arms))]
}

// stickyAssigner draws at random; the stored assignment is the only record.
type stickyAssigner struct{}

func (stickyAssigner) Assign(exp Experiment, _ string) string {
	return exp.Arms[rand.IntN(len(exp.Arms))]
}

// NewAssigner returns the assigner named by configuration.
func NewAssigner(strategy string) (Assigner, error) {
	switch strategy {
	case "hash", "":
		return hashAssigner{}, nil
	case "sticky":
		return stickyAssigner{}, nil
	}
	return nil, fmt.Errorf("flags: unknown assignment strategy %q", strategy)
}

// Experiments stores assignments in the flags namespace.
type Experiments struct {
	store    *Store
	assigner Assigner
}

// NewExperiments returns an Experiments store.
func NewExperiments(s *Store, a Assigner) *Experiments { return &Experiments{store: s, assigner: a} }

// Arm returns the player's arm, assigning one on first sight.
func (e *Experiments) Arm(ctx context.Context, exp Experiment, playerID string) (string, error) {
	s := e.store
	k := url.PathEscape(keys.Join("exp", exp.ID, playerID))
	resp, err := s.cf.KV.Namespaces.Values.Get(ctx, s.ns, k, kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(s.accountID),
	})
	if err == nil {
		b, err := io.ReadAll(io.LimitReader(resp.Body, 256))
		resp.Body.Close()
		if err == nil && len(b) > 0 {
			return string(b), nil
		}
	}
	arm := e.assigner.Assign(exp, playerID)
	_, err = s.cf.KV.Namespaces.Values.Update(ctx, s.ns, k, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(arm)),
		ExpirationTTL: cloudflare.F((90 * 24 * time.Hour).Seconds()),
	})
	return arm, err
}
