// Package sla runs the service-level timers of the support desk that
// organisers and authors write to: each ticket gets a response deadline
// according to its priority, and a scanner escalates breached tickets.
package sla

import (
	"errors"
	"fmt"
	"time"

	"example.com/lattice/internal/conf"
)

// Priority of a ticket.
type Priority int

const (
	Low Priority = iota
	Normal
	High
	Urgent
)

// ResponseTarget is the time allowed before the first response.
func (p Priority) ResponseTarget() time.Duration {
	switch p {
	case Urgent:
		return time.Hour
	case High:
		return 4 * time.Hour
	case Normal:
		return 24 * time.Hour
	default:
		return 72 * time.Hour
	}
}

// State of a ticket.
type State string

const (
	Open          State = "open"
	AwaitingAgent State = "awaiting_agent"
	AwaitingUser  State = "awaiting_user"
	Paused        State = "paused"
	Resolved      State = "resolved"
	Closed        State = "closed"
)

// Event drives the state machine.
type Event string

const (
	AgentReplied Event = "agent_replied"
	UserReplied  Event = "user_replied"
	Pause        Event = "pause"
	Resume       Event = "resume"
	MarkResolved Event = "resolve"
	Reopen       Event = "reopen"
	AutoClose    Event = "auto_close"
)

// ErrTransition is returned for an event the current state does not accept.
var ErrTransition = errors.New("sla: invalid transition")

var transitions = map[State]map[Event]State{
	Open:          {AgentReplied: AwaitingUser, Pause: Paused, MarkResolved: Resolved},
	AwaitingAgent: {AgentReplied: AwaitingUser, Pause: Paused, MarkResolved: Resolved},
	AwaitingUser:  {UserReplied: AwaitingAgent, MarkResolved: Resolved, AutoClose: Closed},
	Paused:        {Resume: AwaitingAgent, MarkResolved: Resolved},
	Resolved:      {Reopen: AwaitingAgent, AutoClose: Closed},
}

// Next returns the state after ev.
func (s State) Next(ev Event) (State, error) {
	next, ok := transitions[s][ev]
	if !ok {
		return s, fmt.Errorf("%w: %s on %s", ErrTransition, ev, s)
	}
	return next, nil
}

// Ticket is the SLA view of a support ticket.
type Ticket struct {
	ID         conf.TicketID     `json:"id"`
	Conference conf.ConferenceID `json:"conference"`
	Priority   Priority          `json:"priority"`
	State      State             `json:"state"`
	OpenedAt   time.Time         `json:"opened_at"`
	Deadline   time.Time         `json:"deadline"`
	Assignee   string            `json:"assignee,omitempty"`
	History    []Event           `json:"history,omitempty"`
}
