package httptask

import (
	"fmt"
	"strings"
)

// ConnectionARN is a parsed EventBridge connection ARN,
// arn:<partition>:events:<region>:<account>:connection/<name>/<id>.
type ConnectionARN struct {
	Partition, Region, Account, Name, ID string
}

// ParseConnectionARN parses s; the id part is optional (Stepwise looks
// connections up by name).
func ParseConnectionARN(s string) (ConnectionARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "events" {
		return ConnectionARN{}, fmt.Errorf("ConnectionArn %q is not arn:aws:events:<region>:<account>:connection/<name>/<id>", s)
	}
	res := strings.Split(parts[5], "/")
	if len(res) < 2 || len(res) > 3 || res[0] != "connection" || res[1] == "" || (len(res) == 3 && res[2] == "") {
		return ConnectionARN{}, fmt.Errorf("ConnectionArn %q is not arn:aws:events:<region>:<account>:connection/<name>/<id>", s)
	}
	a := ConnectionARN{Partition: parts[1], Region: parts[3], Account: parts[4], Name: res[1]}
	if len(res) == 3 {
		a.ID = res[2]
	}
	return a, nil
}

// String formats the ARN.
func (a ConnectionARN) String() string {
	s := "arn:" + a.Partition + ":events:" + a.Region + ":" + a.Account + ":connection/" + a.Name
	if a.ID != "" {
		s += "/" + a.ID
	}
	return s
}
