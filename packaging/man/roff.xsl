<?xml version="1.0"?>
<!-- Roff text helpers shared by fence2man.xsl and ocf2man.xsl. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <!-- Text as a filled paragraph. -->
  <xsl:template name="paragraph">
    <xsl:param name="text"/>
    <xsl:call-template name="roff">
      <xsl:with-param name="text" select="normalize-space($text)"/>
    </xsl:call-template>
    <xsl:text>&#10;</xsl:text>
  </xsl:template>

  <!-- Text that roff prints as is: \ as \e, - as \-, and \& first so a leading . or ' is no request. -->
  <xsl:template name="roff">
    <xsl:param name="text"/>
    <xsl:text>\&amp;</xsl:text>
    <xsl:call-template name="escape">
      <xsl:with-param name="text" select="string($text)"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="escape">
    <xsl:param name="text"/>
    <xsl:call-template name="replace">
      <xsl:with-param name="text">
        <xsl:call-template name="replace">
          <xsl:with-param name="text" select="$text"/>
          <xsl:with-param name="from" select="'\'"/>
          <xsl:with-param name="to" select="'\e'"/>
        </xsl:call-template>
      </xsl:with-param>
      <xsl:with-param name="from" select="'-'"/>
      <xsl:with-param name="to" select="'\-'"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="replace">
    <xsl:param name="text"/>
    <xsl:param name="from"/>
    <xsl:param name="to"/>
    <xsl:choose>
      <xsl:when test="contains($text, $from)">
        <xsl:value-of select="substring-before($text, $from)"/>
        <xsl:value-of select="$to"/>
        <xsl:call-template name="replace">
          <xsl:with-param name="text" select="substring-after($text, $from)"/>
          <xsl:with-param name="from" select="$from"/>
          <xsl:with-param name="to" select="$to"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="$text"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
