package kvttl

import (
	"context"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"kvlint.test/cfv6/optional"
	"kvlint.test/cfv6/optstore"
)

// Optional settings held by pointer (optstore.WriteOpts), made with the
// team's pointer helper or &v, and read by the adapter through *o.TTL.

type holdKind int

const (
	kindCode holdKind = iota
	kindMiss
	kindPass
)

// lifetimes is indexed by kind.
var lifetimes = [...]time.Duration{
	kindCode: 10 * time.Minute,
	kindMiss: 30 * time.Second,
	kindPass: 24 * time.Hour,
}

func releaseHold(ctx context.Context, st *optstore.Store, vehicle string) error {
	return st.Put(ctx, "released:"+vehicle, []byte("1"), optstore.WriteOpts{
		ExpireAt: optional.Ptr(time.Now().Add(45 * time.Second)), // want `Expiration is time.Now\(\) plus 45s \(passed to optstore.Put\)`
	})
}

func rememberMiss(ctx context.Context, st *optstore.Store, id string) error {
	return st.Put(ctx, "miss:"+id, []byte("-"), optstore.WriteOpts{TTL: optional.Ptr(lifetimes[kindMiss])}) // want `ExpirationTTL 30 \(passed to optstore.Put\) is below KV's 60-second minimum`
}

func saveCode(ctx context.Context, st *optstore.Store, code string) error {
	return st.Put(ctx, "code:"+code, []byte(code), optstore.WriteOpts{TTL: optional.Ptr(lifetimes[kindCode])})
}

func savePass(ctx context.Context, st *optstore.Store, id string) error {
	ttl := lifetimes[kindPass]
	return st.Put(ctx, "pass:"+id, []byte(id), optstore.WriteOpts{TTL: &ttl})
}

func saveUnlimited(ctx context.Context, st *optstore.Store, id string) error {
	return st.Put(ctx, "forever:"+id, []byte(id), optstore.WriteOpts{})
}

// A clamp handed over by address: reported at the clamp.
func remind(ctx context.Context, st *optstore.Store, id string, window time.Duration) error {
	keep := max(2*window, 3*time.Second) // want `ExpirationTTL \(passed to optstore.Put\) can be as low as 3s`
	return st.Put(ctx, "remind:"+id, nil, optstore.WriteOpts{
		TTL: &keep,
	})
}

func holdUntil(ctx context.Context, st *optstore.Store, id string, t time.Time) error {
	ttl := time.Until(t)
	return st.Put(ctx, "hold:"+id, []byte(id), optstore.WriteOpts{TTL: &ttl}) // want `ExpirationTTL \(passed to optstore.Put\) is counted down to a moment at run time`
}

const retention = 14 * 24 * time.Hour

// A bulk body filled by index.
func publishShards(ctx context.Context, client *cloudflare.Client, account, ns string, shards [][]byte) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 16)
	for i := range body {
		body[i] = kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(fmt.Sprintf("shard:%02d", i)),
			Value:         cloudflare.F(string(shards[i])),
			ExpirationTTL: cloudflare.F(float64(retention)), // want `ExpirationTTL is a lifetime in seconds, but this converts a time.Duration to nanoseconds`
		}
	}
	_, err := client.KV.Namespaces.BulkUpdate(ctx, ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(account), Body: body})
	return err
}

// A command passed by value down three layers, its lifetime copied into
// a record and then into the options; set twice where it is built.

type unlockCmd struct {
	Vehicle  string
	Validity time.Duration
}

type unlockRecord struct {
	Key string
	TTL time.Duration
}

type unlockRepo struct{ st *optstore.Store }

func (r unlockRepo) put(ctx context.Context, rec unlockRecord) error {
	ttl := rec.TTL
	return r.st.Put(ctx, rec.Key, []byte("1"), optstore.WriteOpts{TTL: &ttl})
}

type unlocks struct{ repo unlockRepo }

func (u unlocks) issue(ctx context.Context, cmd unlockCmd) error {
	rec := unlockRecord{Key: "unlock:" + cmd.Vehicle, TTL: cmd.Validity}
	return u.repo.put(ctx, rec)
}

func issueUnlock(ctx context.Context, u unlocks, vehicle string, quick bool) error {
	cmd := unlockCmd{Vehicle: vehicle, Validity: 10 * time.Minute}
	if quick {
		cmd.Validity = 45 * time.Second // want `ExpirationTTL 45 \(passed to unlocks.issue\) is below KV's 60-second minimum`
	}
	return u.issue(ctx, cmd)
}

func issueLongUnlock(ctx context.Context, u unlocks, vehicle string, slow bool) error {
	cmd := unlockCmd{Vehicle: vehicle, Validity: 10 * time.Minute}
	if slow {
		cmd.Validity = 2 * time.Hour
	}
	return u.issue(ctx, cmd)
}
