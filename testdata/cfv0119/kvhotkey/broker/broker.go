// Package broker stands for a message broker's client library: it calls
// the handlers it is given on each message it receives, and hands a bot
// its updates on a channel.
package broker

import "time"

// Message is one message a subscription receives.
type Message interface {
	Topic() string
	Payload() []byte
}

// Client is the connection a handler is called on.
type Client interface {
	Publish(topic string, payload []byte)
}

// MessageHandler is called on each message of a subscription.
type MessageHandler func(Client, Message)

// Conn is a connection to the broker.
type Conn struct{}

// Subscribe calls h on each message of topic.
func (c *Conn) Subscribe(topic string, h MessageHandler) {}

// Every runs job once a period, with no message.
func (c *Conn) Every(period time.Duration, job func()) {}

// Update is one update a bot receives.
type Update struct {
	ID   int
	Chat int64
	Text string
}

// Updates returns the updates from offset on, as they arrive.
func (c *Conn) Updates(offset int) <-chan Update { return make(chan Update) }

// Context is what a command-line tool hands a command's action.
type Context struct{}

// ActionFunc is a command's action.
type ActionFunc func(*Context) error

// Command is one command of a command-line tool, run once an invocation.
type Command struct {
	Name   string
	Action ActionFunc
}
