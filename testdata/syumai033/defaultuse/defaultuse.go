// Package defaultuse reads and writes through defaultstore's default
// instance and its generic helpers.
package defaultuse

import (
	"context"
	"slices"

	"kvlint.test/syumai033/defaultstore"
)

// Thread is a message thread; ID names its key.
type Thread struct {
	ID       string   `json:"id"`
	Messages []string `json:"messages"`
}

func threadKey(id string) string { return "thread:" + id }

func loadThread(ctx context.Context, t *Thread) error {
	_, err := defaultstore.Load(ctx, threadKey(t.ID), t)
	return err
}

// Post appends to a thread that a helper loaded into the caller's variable.
func Post(ctx context.Context, threadID, body string) error {
	t := Thread{ID: threadID}
	if err := loadThread(ctx, &t); err != nil {
		return err
	}
	t.Messages = append(t.Messages, body)
	return defaultstore.PutJSON(ctx, threadKey(threadID), t) // want `read-modify-write`
}

// Start writes a new thread without reading one.
func Start(ctx context.Context, threadID, body string) error {
	t := Thread{ID: threadID, Messages: []string{body}}
	return defaultstore.PutJSON(ctx, threadKey(threadID), t)
}

// Append adds to a history read through the default instance's Get,
// which reads in a closure that sets the value it returns.
func Append(ctx context.Context, scooter, ride string) error {
	key := "history:" + scooter
	prev, ok, err := defaultstore.Get(ctx, key)
	if err != nil {
		return err
	}
	next := ride
	if ok {
		next = prev + "," + ride
	}
	return defaultstore.PutString(ctx, key, next) // want `read-modify-write`
}

// Mirror copies one key's value to another: a different key.
func Mirror(ctx context.Context, from, to string) error {
	v, ok, err := defaultstore.Get(ctx, "history:"+from)
	if err != nil || !ok {
		return err
	}
	return defaultstore.PutString(ctx, "archive:"+to, v)
}

// Prefs are a user's channels; UserID names the key.
type Prefs struct {
	UserID   string   `json:"user_id"`
	Channels []string `json:"channels"`
}

// Key is the record's key.
func (p *Prefs) Key() string { return "prefs:" + p.UserID }

// AddChannel fills the record through a generic helper and saves it back.
func AddChannel(ctx context.Context, st *defaultstore.Store, user, channel string) error {
	p := Prefs{UserID: user}
	if _, err := defaultstore.Fill(ctx, st, &p); err != nil {
		return err
	}
	if slices.Contains(p.Channels, channel) {
		return nil
	}
	p.Channels = append(p.Channels, channel)
	return defaultstore.Save(ctx, st, &p) // want `read-modify-write`
}

// Reset saves a record it builds whole, without reading it.
func Reset(ctx context.Context, st *defaultstore.Store, user string) error {
	p := Prefs{UserID: user, Channels: []string{"email"}}
	return defaultstore.Save(ctx, st, &p)
}
