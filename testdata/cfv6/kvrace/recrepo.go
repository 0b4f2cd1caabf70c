package kvrace

import (
	"context"

	"kvlint.test/cfv6/recrepo"
)

type enrolment struct {
	Course, Learner, Status string
	Version                 int
}

func (e enrolment) StoreKey() string { return e.Course + "/" + e.Learner }

// The key found by, built from a record's own StoreKey: its text is seen
// through the helper, the saved record's is not.
func enrolmentKey(course, learner string) string {
	return enrolment{Course: course, Learner: learner}.StoreKey()
}

// A status changed and written back: two requests both read version n.
func changeStatus(ctx context.Context, repo *recrepo.Repo[enrolment], course, learner, to string) error {
	e, err := repo.Find(ctx, enrolmentKey(course, learner))
	if err != nil {
		return err
	}
	e.Status = to
	e.Version++
	return repo.Save(ctx, e) // want `read-modify-write on one KV key`
}
