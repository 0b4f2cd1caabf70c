package tracking

import (
	"sora/internal/config"
)

// KeyScheme decides where shipment records and their public pages live.
// Which one is in force is a configuration switch, because partners that
// were migrated from the old platform keep their partner-scoped layout.
type KeyScheme interface {
	ShipmentKey(partnerID, number string) string
	PageKey(partnerID, number string) string
	ShipmentPrefix(partnerID string) string
}

type flatScheme struct{}

func (flatScheme) ShipmentKey(_, number string) string { return "shipment:" + number }
func (flatScheme) PageKey(_, number string) string     { return "page:" + number }
func (flatScheme) ShipmentPrefix(string) string        { return "shipment:" }

type partnerScheme struct{ sep string }

func (s partnerScheme) ShipmentKey(partnerID, number string) string {
	return "shipment:" + partnerID + s.sep + number
}

func (s partnerScheme) PageKey(partnerID, number string) string {
	return "page:" + partnerID + s.sep + number
}

func (s partnerScheme) ShipmentPrefix(partnerID string) string {
	return "shipment:" + partnerID + s.sep
}

var schemes = map[string]KeyScheme{
	"flat":    flatScheme{},
	"partner": partnerScheme{sep: "/"},
	"legacy":  partnerScheme{sep: ":"},
}

// Scheme returns the key scheme currently configured.
func Scheme() KeyScheme {
	if s, ok := schemes[config.Load().KeyScheme]; ok {
		return s
	}
	return flatScheme{}
}
