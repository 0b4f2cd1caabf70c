// Package mqttbus connects the ingestion service to the MQTT broker. Routes are
// registered once with AddRoute; the subscriptions themselves are (re)made in
// the OnConnect handler so that they survive broker restarts with clean
// sessions.
package mqttbus

import (
	"fmt"
	"log/slog"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// Route binds a topic filter to a handler.
type Route struct {
	Filter  string
	QoS     byte
	Handler mqtt.MessageHandler
}

// Fanout returns a handler that calls each of hs in turn. paho keeps a single
// callback per filter, so handlers sharing a filter are chained here.
func Fanout(hs ...mqtt.MessageHandler) mqtt.MessageHandler {
	return func(c mqtt.Client, m mqtt.Message) {
		for _, h := range hs {
			h(c, m)
		}
	}
}

// Recover wraps h so that a panicking handler does not take down paho's
// router goroutine.
func Recover(log *slog.Logger, h mqtt.MessageHandler) mqtt.MessageHandler {
	return func(c mqtt.Client, m mqtt.Message) {
		defer func() {
			if r := recover(); r != nil {
				log.Error("mqtt handler panic", "topic", m.Topic(), "panic", r)
			}
		}()
		h(c, m)
	}
}

// Options are the connection settings.
type Options struct {
	Broker   string
	ClientID string
	Username string
	Password string
}

// Connect dials the broker and installs routes. fallback receives messages
// that match a subscription but no route (for example retained messages on
// topics that were renamed).
func Connect(o Options, routes []Route, fallback mqtt.MessageHandler, log *slog.Logger) (mqtt.Client, error) {
	filters := make(map[string]byte, len(routes))
	for _, r := range routes {
		filters[r.Filter] = r.QoS
	}
	opts := mqtt.NewClientOptions().
		AddBroker(o.Broker).
		SetClientID(o.ClientID).
		SetUsername(o.Username).
		SetPassword(o.Password).
		SetCleanSession(true).
		SetOrderMatters(false).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(5 * time.Second).
		SetKeepAlive(30 * time.Second).
		SetDefaultPublishHandler(Recover(log, fallback)).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			log.Warn("mqtt connection lost", "err", err)
		}).
		SetOnConnectHandler(func(c mqtt.Client) {
			log.Info("mqtt connected, subscribing", "filters", len(filters))
			t := c.SubscribeMultiple(filters, nil)
			go func() {
				if t.WaitTimeout(10*time.Second) && t.Error() != nil {
					log.Error("mqtt subscribe", "err", t.Error())
				}
			}()
		})

	c := mqtt.NewClient(opts)
	for _, r := range routes {
		c.AddRoute(r.Filter, Recover(log, r.Handler))
	}
	t := c.Connect()
	if !t.WaitTimeout(30 * time.Second) {
		return nil, fmt.Errorf("mqtt connect to %s: timeout", o.Broker)
	}
	if err := t.Error(); err != nil {
		return nil, fmt.Errorf("mqtt connect to %s: %w", o.Broker, err)
	}
	return c, nil
}
