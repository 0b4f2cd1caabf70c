package guest

import (
	"context"
	"crypto/rand"
	"time"

	"marten/internal/kvstore"
)

// KeyToken names one digital room key provisioned to a guest's phone.
type KeyToken struct{ ID string }

func (t KeyToken) String() string { return "guest/key-token/" + t.ID }

// RevokedKey names the revocation entry the door locks' gateway polls.
type RevokedKey struct{ ID string }

func (t RevokedKey) String() string { return "guest/revoked-key-token/" + t.ID }

// KeyGrant is stored under a KeyToken.
type KeyGrant struct {
	ReservationID string
	Guest         string
	Room          string
	NotBefore     time.Time
	NotAfter      time.Time
}

func newTokenID() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return kvstore.Token(b)
}

// issueMobileKeys provisions one key per guest. The grants live until two
// hours after check-out time.
func (k *keys) issueMobileKeys(ctx context.Context, res Reservation) (ids []string, err error) {
	ttl := time.Until(res.Departure.Add(2 * time.Hour))
	if ttl < time.Minute {
		ttl = time.Minute
	}
	b := k.kv.Begin()
	idx := ResIndex{}
	for _, g := range res.Guests {
		id := newTokenID()
		grant := KeyGrant{ReservationID: res.ID, Guest: g, Room: res.Room, NotBefore: time.Now(), NotAfter: res.Departure.Add(2 * time.Hour)}
		b.Put(KeyToken{ID: id}.String(), kvstore.Must(kvstore.GobBytes(grant)), ttl)
		ids = append(ids, id)
	}
	idx.KeyTokens = ids
	b.Put(string(resIndexKey(res.ID)), kvstore.Must(kvstore.GobBytes(idx)), 30*24*time.Hour)
	if err := b.Commit(ctx); err != nil {
		return nil, err
	}
	return ids, nil
}

// Revoke withdraws every room key of a reservation (early check-out, room
// move, lost phone).
func (k *keys) Revoke(ctx context.Context, resID string) error {
	idx, ok, err := kvstore.Load[ResIndexKey, ResIndex](ctx, k.kv, resIndexKey(resID))
	if err != nil || !ok {
		return err
	}
	stamp := kvstore.Stamp(time.Now(), []byte(resID))
	b := k.kv.Begin()
	for _, id := range idx.KeyTokens {
		b.Delete(KeyToken{ID: id}.String())                     // EXPECT kvsession
		b.Put(RevokedKey{ID: id}.String(), stamp, 72*time.Hour) // EXPECT kvsession
	}
	return b.Commit(ctx)
}
