package dev.herald.server.preference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.server.notification.LocalSend;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Quiet-hour windows and local-time sends, evaluated in real zones across DST changes. */
class QuietHoursTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final QuietHours NIGHT = new QuietHours(LocalTime.of(22, 0), LocalTime.of(7, 0));

    private static Instant at(String s) {
        return Instant.parse(s);
    }

    @Test
    void nightWindowEndsAtSevenLocalOnTheSpringForwardMorning() {
        // 2027-03-28 is the last Sunday of March: Berlin goes from CET (+1) to CEST (+2) at 02:00.
        // 23:30Z on the 27th is 00:30 CET; 07:00 CEST that morning is 05:00Z, not 06:00Z.
        assertThat(NIGHT.endIfInside(at("2027-03-27T23:30:00Z"), BERLIN)).contains(at("2027-03-28T05:00:00Z"));
        // The evening before the change: 22:30 CET → 07:00 CEST the next day.
        assertThat(NIGHT.endIfInside(at("2027-03-27T21:30:00Z"), BERLIN)).contains(at("2027-03-28T05:00:00Z"));
    }

    @Test
    void nightWindowEndsAtSevenLocalOnTheFallBackMorning() {
        // 2026-11-01: New York goes from EDT (-4) to EST (-5) at 02:00. 03:00Z is 23:00 EDT on Oct 31;
        // 07:00 EST is 12:00Z.
        assertThat(NIGHT.endIfInside(at("2026-11-01T03:00:00Z"), NEW_YORK)).contains(at("2026-11-01T12:00:00Z"));
        // 06:30Z is 01:30 the first time (EDT) and 06:30Z+1h is 01:30 again (EST): both inside, same end.
        assertThat(NIGHT.endIfInside(at("2026-11-01T05:30:00Z"), NEW_YORK)).contains(at("2026-11-01T12:00:00Z"));
        assertThat(NIGHT.endIfInside(at("2026-11-01T06:30:00Z"), NEW_YORK)).contains(at("2026-11-01T12:00:00Z"));
    }

    @Test
    void windowEndingInsideTheDstGapEndsWhenTheClockJumpsPast() {
        // 02:30 does not exist in Berlin on 2027-03-28; the window ends at 03:30 CEST = 01:30Z.
        QuietHours early = new QuietHours(LocalTime.of(1, 0), LocalTime.of(2, 30));
        assertThat(early.endIfInside(at("2027-03-28T00:30:00Z"), BERLIN)).contains(at("2027-03-28T01:30:00Z"));
    }

    @Test
    void outsideTheWindowIsEmptyAndTheEndIsExclusive() {
        assertThat(NIGHT.endIfInside(at("2026-11-23T10:00:00Z"), BERLIN)).isEmpty(); // 11:00 CET
        assertThat(NIGHT.endIfInside(at("2026-11-23T06:00:00Z"), BERLIN)).isEmpty(); // 07:00 CET exactly
        assertThat(NIGHT.endIfInside(at("2026-11-23T21:00:00Z"), BERLIN)).contains(at("2026-11-24T06:00:00Z")); // 22:00
        QuietHours lunch = new QuietHours(LocalTime.of(12, 0), LocalTime.of(14, 0));
        assertThat(lunch.endIfInside(at("2026-11-23T03:30:00Z"), ZoneId.of("Asia/Tokyo"))).contains(at("2026-11-23T05:00:00Z"));
        assertThat(lunch.endIfInside(at("2026-11-23T05:00:00Z"), ZoneId.of("Asia/Tokyo"))).isEmpty();
        assertThatThrownBy(() -> new QuietHours(LocalTime.NOON, LocalTime.NOON)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void localSendIsTheNextSuchTimeInEachZone() {
        Instant requested = at("2026-11-23T10:00:00Z");
        LocalSend nine = LocalSend.parse("09:00");
        assertThat(nine.dueIn(ZoneId.of("Asia/Tokyo"), requested)).isEqualTo(at("2026-11-24T00:00:00Z")); // 19:00 JST now
        assertThat(nine.dueIn(BERLIN, requested)).isEqualTo(at("2026-11-24T08:00:00Z")); // 11:00 CET now
        assertThat(nine.dueIn(NEW_YORK, requested)).isEqualTo(at("2026-11-23T14:00:00Z")); // 05:00 EST now
        LocalSend dated = LocalSend.parse("2026-11-23T09:00");
        assertThat(dated.dueIn(NEW_YORK, requested)).isEqualTo(at("2026-11-23T14:00:00Z"));
        assertThat(dated.dueIn(BERLIN, requested)).as("already past in Berlin: now").isEqualTo(requested);
        assertThatThrownBy(() -> LocalSend.parse("25:00")).isInstanceOf(IllegalArgumentException.class);
    }
}
