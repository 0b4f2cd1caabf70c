package kvrace

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

type member struct {
	Email string `json:"email"`
	Hash  string `json:"hash"`
}

func (f *flags) saveMember(ctx context.Context, m *member) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return f.write(ctx, "member:"+m.Email, b)
}

var errRegistered = errors.New("already registered")

// A sign-up that reads the e-mail's key with its error dropped and
// refuses when bytes came back: two sign-ups both find nothing, and the
// second overwrites the first's member.
func (f *flags) signUp(ctx context.Context, email, hash string) error {
	existing, _ := f.read(ctx, "member:"+email)
	if existing != nil {
		return errRegistered
	}
	return f.saveMember(ctx, &member{Email: email, Hash: hash}) // want `check-then-create on one KV key`
}

// Quiet: a read-through cache fills the miss with what the origin says,
// the same for every request.
func (f *flags) avatar(ctx context.Context, email string, origin func(string) []byte) []byte {
	if cached, _ := f.read(ctx, "avatar:"+email); cached != nil {
		return cached
	}
	v := origin(email)
	_ = f.write(ctx, "avatar:"+email, v)
	return v
}

// Quiet: a welcome mail sent once a day at most, marked with a short
// lifetime: a cooldown, not a claim.
func (f *flags) welcome(ctx context.Context, email string, send func(string) error) error {
	if seen, _ := f.read(ctx, "welcomed:"+email); seen != nil {
		return nil
	}
	if err := send(email); err != nil {
		return err
	}
	return f.writeFor(ctx, "welcomed:"+email, []byte("1"), (2 * time.Minute).Seconds())
}
