package kvrace

import (
	"context"
	"encoding/json"

	"kvlint.test/cfv6/keys"
)

type totals struct {
	Account string
	Seen    []string
}

// A projection loads a record by its account and saves it under the
// account the record carries, which load sets itself for a new record.
type projector struct{ f *flags }

func totalsKey(acct string) string { return "totals/" + acct }

func (p *projector) load(ctx context.Context, acct string) (totals, error) {
	b, err := p.f.read(ctx, totalsKey(acct))
	if isNotFound(err) {
		return totals{Account: acct}, nil
	}
	if err != nil {
		return totals{}, err
	}
	var t totals
	return t, json.Unmarshal(b, &t)
}

func (p *projector) save(ctx context.Context, t totals) error {
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return p.f.write(ctx, totalsKey(t.Account), b)
}

func (p *projector) apply(ctx context.Context, acct, event string) error {
	t, err := p.load(ctx, acct)
	if err != nil {
		return err
	}
	t.Seen = append(t.Seen, event)
	return p.save(ctx, t) // want `read-modify-write on one KV key`
}

// Quiet: a record made here, not read, is saved.
func (p *projector) reset(ctx context.Context, acct string) error {
	return p.save(ctx, totals{Account: acct})
}

func newAccountID() string { return "acct-" + randomSuffix() }

func randomSuffix() string { return "x" }

func mintFrom(old totals) totals { return totals{Account: newAccountID(), Seen: old.Seen} }

// Quiet: a new record made from the parts of the one read is saved under
// its own new key.
func (p *projector) fork(ctx context.Context, acct string) error {
	old, err := p.load(ctx, acct)
	if err != nil {
		return err
	}
	return p.save(ctx, mintFrom(old))
}

type card struct{ Account, Title string }

// Quiet: the card read is replaced whole, from the record, before the
// fill: nothing read from the card's key is written back.
func (p *projector) cardOf(ctx context.Context, acct string) (card, error) {
	var c card
	raw, err := p.f.read(ctx, "card/"+acct)
	if err == nil && json.Unmarshal(raw, &c) == nil {
		return c, nil
	}
	t, err := p.load(ctx, acct)
	if err != nil {
		return card{}, err
	}
	c = card{Account: t.Account, Title: "member"}
	b, _ := json.Marshal(c)
	return c, p.f.write(ctx, "card/"+acct, b)
}

// A room is keyed by a method over its own fields: the room loaded by
// room{Region, ID}.key() and written back under r.key() is one record.
type room struct {
	Region, ID string
	Players    []string
}

func (r room) key() string { return "room/" + r.Region + "/" + r.ID }

func (p *projector) loadRoom(ctx context.Context, region, id string) (room, error) {
	var r room
	b, err := p.f.read(ctx, room{Region: region, ID: id}.key())
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal(b, &r)
}

func (p *projector) join(ctx context.Context, region, id, player string) error {
	r, err := p.loadRoom(ctx, region, id)
	if err != nil {
		return err
	}
	r.Players = append(r.Players, player)
	b, _ := json.Marshal(r)
	return p.f.write(ctx, r.key(), b) // want `read-modify-write on one KV key`
}

// Quiet: a new room made from the parts of the one read has its own key.
func (p *projector) split(ctx context.Context, region, id string) error {
	r, err := p.loadRoom(ctx, region, id)
	if err != nil {
		return err
	}
	next := room{Region: r.Region, ID: randomSuffix(), Players: r.Players[1:]}
	b, _ := json.Marshal(next)
	return p.f.write(ctx, next.key(), b)
}

func (p *projector) serially(fn func() error) error { return fn() }

// The room read into a variable captured by a closure is the same record.
func (p *projector) joinSerially(ctx context.Context, region, id, player string) (room, error) {
	var r room
	err := p.serially(func() (err error) {
		if r, err = p.loadRoom(ctx, region, id); err != nil {
			return err
		}
		r.Players = append(r.Players, player)
		b, _ := json.Marshal(r)
		return p.f.write(ctx, r.key(), b) // want `read-modify-write on one KV key`
	})
	return r, err
}

// A key helper that passes on the failure of another package's key
// type: key, err := queueKey(d) names the same key each time.
func queueKey(d keys.Dock) (string, error) {
	text, err := d.MarshalText()
	if err != nil {
		return "", err
	}
	return "queue:" + string(text), nil
}

func (p *projector) queue(ctx context.Context, d keys.Dock) ([]string, error) {
	key, err := queueKey(d)
	if err != nil {
		return nil, err
	}
	b, err := p.f.read(ctx, key)
	if err != nil {
		return nil, err
	}
	var q []string
	return q, json.Unmarshal(b, &q)
}

func (p *projector) enqueue(ctx context.Context, d keys.Dock, carrier string) error {
	key, err := queueKey(d)
	if err != nil {
		return err
	}
	q, err := p.queue(ctx, d)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(append(q, carrier))
	return p.f.write(ctx, key, b) // want `read-modify-write on one KV key`
}

// Quiet: another dock's queue is written.
func (p *projector) moveTo(ctx context.Context, from, to keys.Dock, carrier string) error {
	key, err := queueKey(to)
	if err != nil {
		return err
	}
	q, err := p.queue(ctx, from)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(append(q[:0:0], carrier))
	_ = q
	return p.f.write(ctx, key, b)
}

type referral struct {
	Code   string
	Owner  string
	Friend string
}

func (p *projector) referral(ctx context.Context, code string) (referral, error) {
	var rc referral
	b, err := p.f.read(ctx, keys.Referral(code))
	if err != nil {
		return rc, err
	}
	return rc, json.Unmarshal(b, &rc)
}

// The record read is saved under the key its own code names, built by
// the same helper of another package.
func (p *projector) share(ctx context.Context, code, friend string) error {
	rc, err := p.referral(ctx, code)
	if err != nil {
		return err
	}
	rc.Friend = friend
	b, _ := json.Marshal(rc)
	return p.f.write(ctx, keys.Referral(rc.Code), b) // want `read-modify-write on one KV key`
}

// Quiet: a new code of the friend's own, made from the one read.
func (p *projector) pass(ctx context.Context, code, friend string) error {
	rc, err := p.referral(ctx, code)
	if err != nil {
		return err
	}
	next := referral{Code: rc.Code + "-" + friend, Owner: friend}
	b, _ := json.Marshal(next)
	return p.f.write(ctx, keys.Referral(next.Code), b)
}

// Keys built by a function that a factory made, held in a package
// variable or a local: noteAt(id) names the same key each time.
var (
	noteAt  = keys.Prefixed("note:")
	draftAt = keys.Prefixed("draft:")
)

func (p *projector) appendNote(ctx context.Context, id, line string) error {
	b, err := p.f.read(ctx, noteAt(id))
	if err != nil {
		return err
	}
	return p.f.write(ctx, noteAt(id), append(b, line...)) // want `read-modify-write on one KV key`
}

func (p *projector) appendLocal(ctx context.Context, id, line string) error {
	key := keys.Prefixed("log:")
	b, err := p.f.read(ctx, key(id))
	if err != nil {
		return err
	}
	return p.f.write(ctx, key(id), append(b, line...)) // want `read-modify-write on one KV key`
}

// Quiet: another record's key, and another prefix's.
func (p *projector) copyNote(ctx context.Context, from, to string) error {
	b, err := p.f.read(ctx, noteAt(from))
	if err != nil {
		return err
	}
	if err := p.f.write(ctx, noteAt(to), append(b, '!')); err != nil {
		return err
	}
	return p.f.write(ctx, draftAt(from), append(b, '!'))
}

// The same key read through a method of this package that builds it.
func (p *projector) note(ctx context.Context, id string) ([]byte, error) {
	return p.f.read(ctx, noteAt(id))
}

func (p *projector) appendVia(ctx context.Context, id, line string) error {
	b, err := p.note(ctx, id)
	if err != nil {
		return err
	}
	return p.f.write(ctx, noteAt(id), append(b, line...)) // want `read-modify-write on one KV key`
}

// Quiet: another note's key.
func (p *projector) forkVia(ctx context.Context, id, to string) error {
	b, err := p.note(ctx, id)
	if err != nil {
		return err
	}
	return p.f.write(ctx, noteAt(to), append(b, '!'))
}

type board struct {
	Code    string
	Players []string
}

var boardAt = keys.Prefixed("board")

func (p *projector) findBoard(ctx context.Context, code string) (board, error) {
	var b board
	raw, err := p.f.read(ctx, boardAt(code))
	if err != nil {
		return b, err
	}
	return b, json.Unmarshal(raw, &b)
}

func (p *projector) saveBoard(ctx context.Context, b board) error {
	raw, _ := json.Marshal(b)
	return p.f.write(ctx, boardAt(b.Code), raw)
}

// A record found, changed and saved under the key its own code names:
// the code is what the record held, not a field this function sets.
func (p *projector) joinBoard(ctx context.Context, code, player string) error {
	b, err := p.findBoard(ctx, code)
	if err != nil {
		return err
	}
	b.Players = append(b.Players, player)
	return p.saveBoard(ctx, b) // want `read-modify-write on one KV key`
}

// The record found is saved here under the key its own code names, built
// by the same key builder.
func (p *projector) addPlayer(ctx context.Context, code, player string) error {
	b, err := p.findBoard(ctx, code)
	if err != nil {
		return err
	}
	b.Players = append(b.Players, player)
	raw, _ := json.Marshal(b)
	return p.f.write(ctx, boardAt(b.Code), raw) // want `read-modify-write on one KV key`
}
