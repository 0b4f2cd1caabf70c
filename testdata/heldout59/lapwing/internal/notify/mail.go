// Package notify sends transactional e-mail through the outbound relay.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"net/smtp"
)

// Mailer sends one templated message.
type Mailer interface {
	Send(ctx context.Context, to, template string, data map[string]string) error
}

type message struct {
	to, template string
	data         map[string]string
}

// Relay queues messages and delivers them over SMTP from one goroutine.
type Relay struct {
	addr, from string
	log        *slog.Logger
	queue      chan message
}

// NewRelay returns a relay that delivers through addr.
func NewRelay(addr, from string, log *slog.Logger) *Relay {
	return &Relay{addr: addr, from: from, log: log, queue: make(chan message, 4096)}
}

// Send enqueues a message.
func (r *Relay) Send(ctx context.Context, to, template string, data map[string]string) error {
	select {
	case r.queue <- message{to, template, data}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Len reports how many messages wait for delivery.
func (r *Relay) Len() int { return len(r.queue) }

// Deliver sends queued messages until ctx is done.
func (r *Relay) Deliver(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-r.queue:
			body := fmt.Sprintf("Subject: %s\r\n\r\n%v\r\n", m.template, m.data)
			if err := smtp.SendMail(r.addr, nil, r.from, []string{m.to}, []byte(body)); err != nil {
				r.log.Error("mail delivery failed", "to", m.to, "template", m.template, "err", err)
			}
		}
	}
}
