// Package rpc holds the wire messages and service interfaces of the internal
// API. The messages mirror the .proto definitions in api/wryneck/v1 and keep
// the generated shape (nil-safe getters, Unimplemented servers) so the rest of
// the code base does not care whether they came from protoc or from us.
package rpc

// PutEntryRequest writes an opaque entry for a list.
type PutEntryRequest struct {
	ListId     string
	Key        string
	Value      []byte
	TtlSeconds int64
}

func (x *PutEntryRequest) GetListId() string {
	if x != nil {
		return x.ListId
	}
	return ""
}

func (x *PutEntryRequest) GetKey() string {
	if x != nil {
		return x.Key
	}
	return ""
}

func (x *PutEntryRequest) GetValue() []byte {
	if x != nil {
		return x.Value
	}
	return nil
}

func (x *PutEntryRequest) GetTtlSeconds() int64 {
	if x != nil {
		return x.TtlSeconds
	}
	return 0
}

// PutEntryResponse is empty.
type PutEntryResponse struct{}

// ScheduleCampaignRequest creates or replaces a campaign schedule.
type ScheduleCampaignRequest struct {
	CampaignId string
	Sender     string
	SendAtUnix int64
	Segment    string
	TtlSeconds int64
}

func (x *ScheduleCampaignRequest) GetCampaignId() string {
	if x != nil {
		return x.CampaignId
	}
	return ""
}

func (x *ScheduleCampaignRequest) GetSender() string {
	if x != nil {
		return x.Sender
	}
	return ""
}

func (x *ScheduleCampaignRequest) GetSendAtUnix() int64 {
	if x != nil {
		return x.SendAtUnix
	}
	return 0
}

func (x *ScheduleCampaignRequest) GetSegment() string {
	if x != nil {
		return x.Segment
	}
	return ""
}

func (x *ScheduleCampaignRequest) GetTtlSeconds() int64 {
	if x != nil {
		return x.TtlSeconds
	}
	return 0
}

// AddSlotRequest appends a send window to an existing schedule.
type AddSlotRequest struct {
	CampaignId string
	SendAtUnix int64
	Segment    string
}

func (x *AddSlotRequest) GetCampaignId() string {
	if x != nil {
		return x.CampaignId
	}
	return ""
}

func (x *AddSlotRequest) GetSendAtUnix() int64 {
	if x != nil {
		return x.SendAtUnix
	}
	return 0
}

func (x *AddSlotRequest) GetSegment() string {
	if x != nil {
		return x.Segment
	}
	return ""
}

// CancelCampaignRequest cancels a campaign.
type CancelCampaignRequest struct {
	CampaignId string
	Reason     string
}

func (x *CancelCampaignRequest) GetCampaignId() string {
	if x != nil {
		return x.CampaignId
	}
	return ""
}

func (x *CancelCampaignRequest) GetReason() string {
	if x != nil {
		return x.Reason
	}
	return ""
}

// ScheduleReply echoes the stored schedule.
type ScheduleReply struct {
	CampaignId string
	SlotCount  int32
}

func (x *ScheduleReply) GetSlotCount() int32 {
	if x != nil {
		return x.SlotCount
	}
	return 0
}

// RemindRequest asks for a reminder before a campaign window opens.
type RemindRequest struct {
	CampaignId    string
	OpensAtUnix   int64
	WindowSeconds int64
}

func (x *RemindRequest) GetCampaignId() string {
	if x != nil {
		return x.CampaignId
	}
	return ""
}

func (x *RemindRequest) GetOpensAtUnix() int64 {
	if x != nil {
		return x.OpensAtUnix
	}
	return 0
}

func (x *RemindRequest) GetWindowSeconds() int64 {
	if x != nil {
		return x.WindowSeconds
	}
	return 0
}
