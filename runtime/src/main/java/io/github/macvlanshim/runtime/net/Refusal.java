package io.github.macvlanshim.runtime.net;

/** A change the kernel refused, with the kernel's reason ("RTNETLINK answers: File exists"). */
public record Refusal(Change change, String reason) {
}
