// Package dispatchv1 holds the messages of the dispatch.v1 API
// (proto/dispatch/v1/dispatch.proto). The wire format is JSON; see
// internal/rpc for the codec the handlers are mounted with.
package dispatchv1

// AssignCourierRequest asks dispatch to hand an order to a courier.
type AssignCourierRequest struct {
	OrderId      string `json:"orderId,omitempty"`
	CourierId    string `json:"courierId,omitempty"`
	RestaurantId string `json:"restaurantId,omitempty"`
}

type AssignCourierResponse struct {
	AssignmentId string `json:"assignmentId,omitempty"`
	ExpiresAt    int64  `json:"expiresAt,omitempty"`
}

// CourierShift is a courier's current shift as dispatch sees it.
type CourierShift struct {
	CourierId   string `json:"courierId,omitempty"`
	Status      string `json:"status,omitempty"` // online, paused, offline
	ZoneId      string `json:"zoneId,omitempty"`
	StartedAt   int64  `json:"startedAt,omitempty"`
	UpdatedAt   int64  `json:"updatedAt,omitempty"`
	Transitions int32  `json:"transitions,omitempty"`
}

type SetCourierShiftRequest struct {
	CourierId string `json:"courierId,omitempty"`
	Status    string `json:"status,omitempty"`
	ZoneId    string `json:"zoneId,omitempty"`
}

type SetCourierShiftResponse struct {
	Shift *CourierShift `json:"shift,omitempty"`
}

// CourierProfile is the roster's view of a courier.
type CourierProfile struct {
	CourierId string   `json:"courierId,omitempty"`
	Name      string   `json:"name,omitempty"`
	Vehicle   string   `json:"vehicle,omitempty"`
	Zones     []string `json:"zones,omitempty"`
	Rating    float32  `json:"rating,omitempty"`
}

type GetCourierProfileRequest struct {
	CourierId string `json:"courierId,omitempty"`
}

type GetCourierProfileResponse struct {
	Profile *CourierProfile `json:"profile,omitempty"`
}

type ListZoneCouriersRequest struct {
	ZoneId    string `json:"zoneId,omitempty"`
	PageSize  int32  `json:"pageSize,omitempty"`
	PageToken string `json:"pageToken,omitempty"`
}

type ListZoneCouriersResponse struct {
	Couriers      []*CourierShift `json:"couriers,omitempty"`
	NextPageToken string          `json:"nextPageToken,omitempty"`
}

type GetZoneLoadRequest struct {
	ZoneId string `json:"zoneId,omitempty"`
}

type GetZoneLoadResponse struct {
	ZoneId         string `json:"zoneId,omitempty"`
	OnlineCouriers int32  `json:"onlineCouriers,omitempty"`
	PausedCouriers int32  `json:"pausedCouriers,omitempty"`
}

type QuoteEtaRequest struct {
	RestaurantId   string `json:"restaurantId,omitempty"`
	DropoffGeohash string `json:"dropoffGeohash,omitempty"`
}

type QuoteEtaResponse struct {
	Minutes int32 `json:"minutes,omitempty"`
	Cached  bool  `json:"cached,omitempty"`
}
