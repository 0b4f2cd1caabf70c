package kvsession

import "kvlint.test/syumai033/batchkv"

type signer struct{ Sessions *batchkv.Store }

// Quiet: a commit on the sessions store runs what the batch queued, here
// a login counter's reset and a new session, none of it a revocation.
func (a *signer) signIn(user, id string) error {
	b := &batchkv.Batch{}
	b.Remove("login-failures:" + user)
	b.Put("session:"+id, user)
	return a.Sessions.Commit(b)
}
