package kvrace

import (
	"errors"

	"kvlint.test/syumai033/optstore"
)

var errTaken = errors.New("taken")

// The found flag of an Optional in a Result only says the name is free;
// then this request's owner is written to it.
func claimName(s *optstore.Store, name, owner string) error {
	res := s.Get("name:" + name)
	if res.Err != nil {
		return res.Err
	}
	if res.Value.Found {
		return errTaken
	}
	return s.Put("name:"+name, owner) // want `check-then-create on one KV key`
}

// Quiet: a read-through cache, whose value is used when found.
func cachedBio(s *optstore.Store, user string, load func(string) string) string {
	res := s.Get("bio:" + user)
	if res.Err == nil && res.Value.Found {
		return res.Value.Value
	}
	bio := load(user)
	_ = s.Put("bio:"+user, bio)
	return bio
}

// The same, letting the owner through when the name is already theirs.
func claimNameAgain(s *optstore.Store, name, owner string) error {
	res := s.Get("name:" + name)
	if res.Err != nil {
		return res.Err
	}
	if res.Value.Found && res.Value.Value != owner {
		return errTaken
	}
	return s.Put("name:"+name, owner) // want `check-then-create on one KV key`
}
