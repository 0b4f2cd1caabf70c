package main

import (
	"context"
	"errors"
	"log/slog"

	"example.com/pylon/internal/barcode"
	"example.com/pylon/internal/courier"
	"example.com/pylon/internal/notify"
	"example.com/pylon/internal/partner"
)

// Placeholders for the LIMS, routing provider, contract system and mail
// relay clients, which keep the binary runnable without them.
type (
	limsClient     struct{}
	routePlanner   struct{}
	contractClient struct{}
	mailer         struct{ log *slog.Logger }
)

var (
	lims           limsClient
	planner        routePlanner
	contracts      contractClient
	errUnavailable = errors.New("upstream not configured")
)

func (limsClient) tube(context.Context, string) (barcode.Tube, error) {
	return barcode.Tube{}, errUnavailable
}

func (routePlanner) route(context.Context, string) (courier.Route, error) {
	return courier.Route{}, errUnavailable
}

func (contractClient) plan(_ context.Context, id string) (partner.Plan, error) {
	return partner.Plan{PartnerID: id, PerHour: 1000, BurstFactor: 1.5}, nil
}

func (m mailer) Send(_ context.Context, msg notify.Message) error {
	m.log.Info("mail", "to", msg.To, "subject", msg.Subject)
	return nil
}

func (m mailer) SendVerification(_ context.Context, email, link string) error {
	m.log.Info("verification mail", "to", email, "link", link)
	return nil
}
