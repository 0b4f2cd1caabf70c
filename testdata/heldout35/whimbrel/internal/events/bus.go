// Package events is a small in-process publish/subscribe bus used to fan
// game events out to the subsystems that persist them.
package events

import (
	"errors"
	"sync"
	"time"
)

// Event is a named payload published on the bus.
type Event struct {
	Name    string
	At      time.Time
	Payload any
}

// Handler receives one event.
type Handler func(Event) error

// Bus dispatches events by name to the handlers registered with On.
type Bus struct {
	mu       sync.RWMutex
	handlers map[string][]Handler
}

// New returns an empty bus.
func New() *Bus {
	return &Bus{handlers: make(map[string][]Handler)}
}

// On registers h for events called name.
func (b *Bus) On(name string, h Handler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.handlers[name] = append(b.handlers[name], h)
}

// Emit delivers the event to every handler registered for its name and
// returns the joined errors.
func (b *Bus) Emit(name string, payload any) error {
	b.mu.RLock()
	hs := append([]Handler(nil), b.handlers[name]...)
	b.mu.RUnlock()
	ev := Event{Name: name, At: time.Now(), Payload: payload}
	var errs []error
	for _, h := range hs {
		if err := h(ev); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Names of the events published by the game service.
const (
	UserLogin       = "user.login"
	UserLogout      = "user.logout"
	PasswordChanged = "user.password_changed"
	MatchFinished   = "match.finished"
	AnswerSubmitted = "answer.submitted"
	LobbyClosed     = "lobby.closed"
	InviteRedeemed  = "invite.redeemed"
)
