<?xml version="1.0"?>
<!-- The failed and erred OSGi tests of a bnd-testing report as plain text, so that the build's own output (all that
     CI shows) names them, with their messages and the first lines of their traces. With summary=yes only one line per
     test, its name and the start of its message: the build's final error line carries that, as CI may show only the
     output's tail and a failure's text can hold a thread dump. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text"/>
  <xsl:param name="summary" select="'no'"/>
  <xsl:template match="/">
    <xsl:if test="$summary = 'yes'">
      <xsl:for-each select="//testcase[failure or error]">
        <xsl:text>&#10;  </xsl:text><xsl:value-of select="@classname"/>.<xsl:value-of select="@name"/>
        <xsl:text>: </xsl:text>
        <xsl:value-of select="substring(normalize-space((failure|error)[1]/@message), 1, 300)"/>
      </xsl:for-each>
    </xsl:if>
    <xsl:if test="$summary != 'yes'">
    <xsl:for-each select="//testcase[failure or error]">
      <xsl:text>FAILED </xsl:text><xsl:value-of select="@classname"/>.<xsl:value-of select="@name"/>
      <xsl:text>&#10;</xsl:text>
      <xsl:for-each select="failure|error">
        <xsl:value-of select="substring(., 1, 40000)"/>
        <xsl:text>&#10;</xsl:text>
      </xsl:for-each>
    </xsl:for-each>
    </xsl:if>
  </xsl:template>
</xsl:stylesheet>
