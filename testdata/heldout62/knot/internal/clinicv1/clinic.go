// Package clinicv1 holds the message types of the clinic.v1 API, shaped the
// way protoc-gen-go shapes them. Until the Buf pipeline is switched back on
// they travel as JSON.
package clinicv1

import "time"

type Slot struct {
	SlotId      string    `json:"slot_id,omitempty"`
	ClinicianId string    `json:"clinician_id,omitempty"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Modality    string    `json:"modality,omitempty"`
}

type ListSlotsRequest struct {
	ClinicianId string `json:"clinician_id,omitempty"`
	Day         string `json:"day,omitempty"`
}

func (x *ListSlotsRequest) GetClinicianId() string {
	if x != nil {
		return x.ClinicianId
	}
	return ""
}

func (x *ListSlotsRequest) GetDay() string {
	if x != nil {
		return x.Day
	}
	return ""
}

type ListSlotsResponse struct {
	Slots []*Slot `json:"slots,omitempty"`
}

type HoldSlotRequest struct {
	SlotId    string `json:"slot_id,omitempty"`
	PatientId string `json:"patient_id,omitempty"`
}

type HoldSlotResponse struct {
	HoldId    string    `json:"hold_id,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

type BookSlotRequest struct {
	SlotId    string `json:"slot_id,omitempty"`
	PatientId string `json:"patient_id,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

type BookSlotResponse struct {
	BookingId string `json:"booking_id,omitempty"`
}

type CancelBookingRequest struct {
	BookingId string `json:"booking_id,omitempty"`
	PatientId string `json:"patient_id,omitempty"`
}

type CancelBookingResponse struct{}

type AvailabilityWindow struct {
	Day   string `json:"day,omitempty"`
	From  string `json:"from,omitempty"`
	Until string `json:"until,omitempty"`
}

type PublishAvailabilityRequest struct {
	ClinicianId string                `json:"clinician_id,omitempty"`
	Windows     []*AvailabilityWindow `json:"windows,omitempty"`
}

func (x *PublishAvailabilityRequest) GetWindows() []*AvailabilityWindow {
	if x != nil {
		return x.Windows
	}
	return nil
}

type PublishAvailabilityResponse struct {
	Days int32 `json:"days,omitempty"`
}

type IssueRoomTokenRequest struct {
	VisitId string `json:"visit_id,omitempty"`
	Role    string `json:"role,omitempty"`
}

type IssueRoomTokenResponse struct {
	Token     string    `json:"token,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

type EndVisitRequest struct {
	VisitId string `json:"visit_id,omitempty"`
}

type EndVisitResponse struct {
	RevokedTokens int32 `json:"revoked_tokens,omitempty"`
}
