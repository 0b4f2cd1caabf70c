package verify

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"time"

	"example.com/trellis/internal/codec"
	"example.com/trellis/internal/kvstore"
)

var (
	ErrNotEnrolled = errors.New("verify: no recovery codes for this user")
	ErrBadCode     = errors.New("verify: recovery code not recognised")
)

// RecoveryCodes is the stored set of unused codes, hashed.
type RecoveryCodes struct {
	Hashes    []string  `json:"hashes"`
	Generated time.Time `json:"generated"`
	Used      int       `json:"used"`
}

// Recovery manages authenticator-app recovery codes.
type Recovery struct{ codes *codec.Bucket[RecoveryCodes] }

func NewRecovery(st kvstore.Store) *Recovery {
	return &Recovery{codes: codec.NewBucket(st, "recovery:", codec.JSON[RecoveryCodes]{})}
}

// Generate replaces the user's codes with ten fresh ones, returned in clear text.
func (r *Recovery) Generate(ctx context.Context, tenant, user string) ([]string, error) {
	plain := make([]string, 10)
	set := RecoveryCodes{Generated: time.Now()}
	for i := range plain {
		raw := strings.ToLower(rand.Text()[:10])
		plain[i] = raw[:5] + "-" + raw[5:]
		set.Hashes = append(set.Hashes, hashCode(plain[i]))
	}
	if err := r.codes.Put(ctx, tenant+":"+user, set, 0); err != nil { // EXPECT kvsession
		return nil, err
	}
	return plain, nil
}

// Redeem consumes one recovery code and returns how many remain.
func (r *Recovery) Redeem(ctx context.Context, tenant, user, code string) (int, error) {
	set, found, err := r.codes.Get(ctx, tenant+":"+user)
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, ErrNotEnrolled
	}
	i := slices.Index(set.Hashes, hashCode(strings.ToLower(strings.TrimSpace(code))))
	if i < 0 {
		return len(set.Hashes), ErrBadCode
	}
	set.Hashes = slices.Delete(set.Hashes, i, i+1)
	set.Used++
	return len(set.Hashes), r.codes.Put(ctx, tenant+":"+user, set, 0) // EXPECT kvsession
}
