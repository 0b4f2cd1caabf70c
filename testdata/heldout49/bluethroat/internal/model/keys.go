package model

import (
	"strings"
	"time"
)

// DayLayout is the format of service-day dates in keys and records.
const DayLayout = "2006-01-02"

// Key prefixes shared by the worker and the back office.
const (
	PrefixBooking  = "bk:"
	PrefixSlot     = "slot:"
	PrefixDayIndex = "day:"
	PrefixCovers   = "covers:"
	PrefixDeposit  = "dep:"
	PrefixWaitlist = "wl:"
	PrefixSession  = "sess:"
	PrefixGuest    = "guest:"
	PrefixNoShow   = "noshow-count:"
)

// BookingID builds a booking ID that sorts by service day, so that a day's
// bookings can be listed with the prefix BookingDayPrefix(day).
func BookingID(day time.Time, random string) string {
	return day.Format("20060102") + "-" + random
}

// BookingDayPrefix is the booking key prefix for one service day (relative to PrefixBooking).
func BookingDayPrefix(day time.Time) string { return day.Format("20060102") + "-" }

// SlotKey names the hold on one table for one shift.
func SlotKey(restaurant, date, shift, table string) string {
	return strings.Join([]string{restaurant, date, shift, table}, ":")
}

// ShiftPrefix is the prefix of all slot keys for a restaurant's shift.
func ShiftPrefix(restaurant, date, shift string) string {
	return restaurant + ":" + date + ":" + shift + ":"
}

// DayKey names a restaurant's day index.
func DayKey(restaurant, date string) string { return restaurant + ":" + date }

// WaitlistKey names a restaurant's waitlist for a day.
func WaitlistKey(restaurant, date string) string { return PrefixWaitlist + restaurant + ":" + date }
