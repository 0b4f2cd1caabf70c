package hours

// holidayNotice is the text legal signed off on for public holidays. Keep
// the wording in sync with the printed leaflets.
const holidayNotice = "Please note: on public holidays the clinic operates a reduced service. " +
	"Routine appointments, vaccinations, blood tests and follow-up consultations are not available on these days, " +
	"and any appointment that was booked for a public holiday before the holiday calendar was published will be " +
	"moved to the next working day at the same time where possible; you will receive a text message confirming the " +
	"new time. If the new time does not suit you, you can change or cancel it free of charge from the patient portal " +
	"up to 24 hours before the appointment. Urgent same-day care is available at the on-call practice listed on the " +
	"clinic's page; bring your insurance card and a list of your current medication. In a medical emergency call 112 " +
	"immediately and do not wait for a callback. Prescriptions requested on a public holiday are processed on the next " +
	"working day. Repeat prescriptions that run out over a long weekend should be requested at least three working days " +
	"in advance. Test results are not released on public holidays; results that arrive are published on the next working " +
	"day after a clinician has reviewed them. Thank you for your understanding and for helping us keep the on-call " +
	"service available for those who need it most."
