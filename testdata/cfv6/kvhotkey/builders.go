package kvhotkey

import (
	"context"
	"strconv"

	"kvlint.test/cfv6/builder"
)

// manifestKey builds a key from its arguments alone.
func manifestKey(env string) string { return "manifest:" + env }

// The manifest key, built in the loop from what does not change in it.
func (s *syncer) publish(ctx context.Context, env string, flags []string) error { // want publish:"kvhotkey"
	for _, f := range flags {
		if err := s.put(ctx, "flag:"+env+":"+f, "on"); err != nil {
			return err
		}
		if err := s.put(ctx, manifestKey(env), f); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// Quiet: the helper is given the loop's own value.
func (s *syncer) publishEach(ctx context.Context, envs []string) error {
	for _, env := range envs {
		if err := s.put(ctx, manifestKey(env), "v2"); err != nil {
			return err
		}
	}
	return nil
}

// Workers started in a loop, each writing one status key after every job
// through the syncer they capture, which a closure per job captures too.
func (s *syncer) workers(ctx context.Context, jobs <-chan event, n int) { // want workers:"kvhotkey"
	for i := 0; i < n; i++ {
		go func(worker int) {
			for job := range jobs {
				_ = retry(func() error { return s.put(ctx, "event:"+job.ID, job.Body) })
				_ = s.put(ctx, "workers:status", strconv.Itoa(worker)) // want `this loop writes the same KV key on every iteration`
			}
		}(i)
	}
}

func retry(f func() error) error { return f() }

// A write put together in steps, each iteration to the same key.
func replayDrafts(ctx context.Context, st *builder.Store, id string, snapshots []string) error { // want replayDrafts:"kvhotkey"
	for _, snap := range snapshots {
		if err := st.Write("draft:" + id).String(snap).Do(ctx); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// Quiet: one key per snapshot.
func archiveDrafts(ctx context.Context, st *builder.Store, id string, snapshots []string) error {
	for i, snap := range snapshots {
		if err := st.Write("draft:" + id + ":" + strconv.Itoa(i)).String(snap).Do(ctx); err != nil {
			return err
		}
	}
	return nil
}
