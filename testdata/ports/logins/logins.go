// Package logins keeps sessions through a port made of function fields,
// which an adapter fills with closures and tests with fakes.
package logins

import (
	"context"
	"time"
)

type Session struct {
	ID, User string
	Seen     time.Time
}

type SessionStore struct {
	Load func(ctx context.Context, id string) (Session, error)
	Save func(ctx context.Context, s Session) error
	Drop func(ctx context.Context, id string) error
}

type Service struct{ Sessions SessionStore }

// Touch slides the session's last-seen stamp on every request.
func (s *Service) Touch(ctx context.Context, id string) error {
	sess, err := s.Sessions.Load(ctx, id)
	if err != nil {
		return err
	}
	sess.Seen = time.Now()
	return s.Sessions.Save(ctx, sess)
}

func (s *Service) Logout(ctx context.Context, id string) error {
	return s.Sessions.Drop(ctx, id)
}
