package main

import (
	"go.uber.org/dig"

	"github.com/kokako-uni/kokako/internal/kvstore"
)

type wiringSeats struct {
	dig.In

	Seats *kvstore.Namespace `name:"seats"`
}
