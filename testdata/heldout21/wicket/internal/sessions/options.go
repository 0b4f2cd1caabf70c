package sessions

import "time"

type settings struct {
	lifetime     time.Duration
	slideEvery   time.Duration
	cookieName   string
	secureCookie bool
	resetCodeTTL time.Duration
	maxAttempts  int
}

func defaults() settings {
	return settings{
		lifetime:     8 * time.Hour,
		slideEvery:   0,
		cookieName:   "wicket_session",
		secureCookie: true,
		resetCodeTTL: 15 * time.Minute,
		maxAttempts:  5,
	}
}

// Option configures a Manager.
type Option interface {
	apply(*settings)
}

// Lifetime is how long a session stays valid after sign-in.
type Lifetime time.Duration

func (l Lifetime) apply(s *settings) { s.lifetime = time.Duration(l) }

// CookieName overrides the session cookie name.
type CookieName string

func (c CookieName) apply(s *settings) { s.cookieName = string(c) }

// ResetCodeTTL is how long a PIN-reset code may be redeemed.
type ResetCodeTTL time.Duration

func (r ResetCodeTTL) apply(s *settings) { s.resetCodeTTL = time.Duration(r) }
