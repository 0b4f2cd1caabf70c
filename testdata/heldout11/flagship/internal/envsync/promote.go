package envsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"

	"example.com/flagship/internal/kvkey"
)

func lockKey(env string) string { return kvkey.Key("promotion").Child(env, "lock").String() }

// lock marks env as being promoted into. WriteWorkersKVEntry takes no expiry,
// so the lock goes through the bulk endpoint to get one.
func (s *Syncer) lock(ctx context.Context, ns, env, actor string) error {
	_, err := s.API.GetWorkersKV(ctx, s.rc(), cfv0.GetWorkersKVParams{NamespaceID: ns, Key: lockKey(env)})
	if err == nil {
		return ErrLocked
	}
	var nf *cfv0.NotFoundError
	if !errors.As(err, &nf) {
		return err
	}
	_, err = s.API.WriteWorkersKVEntries(ctx, s.rc(), cfv0.WriteWorkersKVEntriesParams{ // EXPECT kvrace
		NamespaceID: ns,
		KVs: []*cfv0.WorkersKVPair{{
			Key:           lockKey(env),
			Value:         actor,
			ExpirationTTL: int(s.LockTTL), // EXPECT kvttl
		}},
	})
	return err
}

// Result summarises a promotion.
type Result struct {
	From, To string
	Flags    []string
	Took     time.Duration
}

// Promote copies every flag in from's manifest to to one key at a time,
// recording progress so an interrupted promotion can be resumed.
func (s *Syncer) Promote(ctx context.Context, from, to, actor string) (Result, error) {
	start := time.Now()
	src, dst, err := s.namespaces(from, to)
	if err != nil {
		return Result{}, err
	}
	if err := s.lock(ctx, dst, to, actor); err != nil {
		return Result{}, err
	}
	defer s.API.DeleteWorkersKVEntry(context.WithoutCancel(ctx), s.rc(), cfv0.DeleteWorkersKVEntryParams{NamespaceID: dst, Key: lockKey(to)})

	m, err := s.readManifest(ctx, src, from)
	if err != nil {
		return Result{}, err
	}
	keys := make([]string, len(m.Flags))
	for i, f := range m.Flags {
		keys[i] = kvkey.Flag(from, f).String()
	}
	values, err := s.Open(src).GetMany(ctx, keys)
	if err != nil {
		return Result{}, err
	}
	progress := kvkey.Key("promotion").Child(to, "progress").String()
	res := Result{From: from, To: to}
	for i, f := range m.Flags {
		v, ok := values[keys[i]]
		if !ok {
			continue // deleted since the manifest was written
		}
		if _, err := s.API.WriteWorkersKVEntry(ctx, s.rc(), cfv0.WriteWorkersKVEntryParams{
			NamespaceID: dst, Key: kvkey.Flag(to, f).String(), Value: []byte(v),
		}); err != nil {
			return res, fmt.Errorf("envsync: write %s: %w", f, err)
		}
		if _, err := s.API.WriteWorkersKVEntry(ctx, s.rc(), cfv0.WriteWorkersKVEntryParams{ // EXPECT kvhotkey
			NamespaceID: dst, Key: progress, Value: []byte(f),
		}); err != nil {
			return res, err
		}
		res.Flags = append(res.Flags, f)
	}
	m.Env, m.Flags, m.Published = to, res.Flags, time.Now().UTC()
	mb, _ := json.Marshal(m)
	if _, err := s.API.WriteWorkersKVEntry(ctx, s.rc(), cfv0.WriteWorkersKVEntryParams{
		NamespaceID: dst, Key: kvkey.EnvManifest(to).String(), Value: mb,
	}); err != nil {
		return res, err
	}
	res.Took = time.Since(start)
	line := fmt.Sprintf("%s %s promoted %d flags from %s", m.Published.Format(time.RFC3339), actor, len(res.Flags), from)
	return res, s.appendChangelog(ctx, dst, to, line)
}

// appendChangelog adds one line to the environment's human-readable log.
func (s *Syncer) appendChangelog(ctx context.Context, ns, env, line string) error {
	key := kvkey.Key("changelog").Child(env).String()
	old, err := s.API.GetWorkersKV(ctx, s.rc(), cfv0.GetWorkersKVParams{NamespaceID: ns, Key: key})
	var nf *cfv0.NotFoundError
	if err != nil && !errors.As(err, &nf) {
		return err
	}
	_, err = s.API.WriteWorkersKVEntry(ctx, s.rc(), cfv0.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: ns, Key: key, Value: append(old, line+"\n"...),
	})
	return err
}
