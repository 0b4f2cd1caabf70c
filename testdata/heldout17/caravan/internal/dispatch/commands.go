package dispatch

import "example.com/caravan/internal/fleet"

// CreateShipment books a new shipment for a customer.
type CreateShipment struct {
	Tenant   string        `json:"tenant"`
	Customer string        `json:"-"`
	Depot    string        `json:"depot"`
	Pickup   fleet.Address `json:"pickup"`
	DropOff  fleet.Address `json:"drop_off"`
	WeightKg float64       `json:"weight_kg"`
}

// AssignDriver puts a shipment on a driver's run.
type AssignDriver struct {
	Tenant, ShipmentID, DriverID, Actor string
}

// TransitionShipment moves a shipment to another status.
type TransitionShipment struct {
	Tenant     string       `json:"tenant"`
	ShipmentID string       `json:"-"`
	To         fleet.Status `json:"to"`
	Actor      string       `json:"actor"`
	Note       string       `json:"note"`
	DriverID   string       `json:"driver_id"`
	Source     string       `json:"-"`
}

// RegisterVehicle links a licence plate to a driver.
type RegisterVehicle struct {
	Tenant, DriverID, Plate string
}

func (CreateShipment) CommandName() string     { return "shipment.create" }
func (AssignDriver) CommandName() string       { return "shipment.assign" }
func (TransitionShipment) CommandName() string { return "shipment.transition" }
func (RegisterVehicle) CommandName() string    { return "driver.register_vehicle" }
